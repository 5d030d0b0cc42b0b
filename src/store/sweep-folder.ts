import { existsSync, readdirSync } from 'node:fs';

import { UsageError } from '../core/errors.js';
import { parseRunName, type SweepLayout } from './layout.js';

/**
 * Refuses a folder that is not a sweep: missing, or holding neither sweep.json nor a runNNN
 * folder (a typo one level up, `logs/` instead of `logs/serial_fix13`, reads as an empty sweep).
 */
export function requireSweepFolder(layout: SweepLayout): void {
  if (!existsSync(layout.dir)) throw new UsageError(`${layout.dir} does not exist: give a sweep folder such as logs/serial_fix13`);
  if (existsSync(layout.sweepJson)) return;
  let names: string[];
  try {
    names = readdirSync(layout.dir);
  } catch (error) {
    throw new UsageError(`${layout.dir} cannot be read (${(error as Error).message}): give a sweep folder such as logs/serial_fix13`);
  }
  if (!names.some((name) => parseRunName(name) !== null)) {
    throw new UsageError(`${layout.dir} is not a sweep folder (no sweep.json, no runNNN folders): give one such as logs/serial_fix13`);
  }
}
