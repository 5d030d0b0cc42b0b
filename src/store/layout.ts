import { existsSync } from 'node:fs';
import path from 'node:path';

import { UsageError } from '../core/errors.js';

const SAFE_TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * `serial`, or `nN` for `pytest -n N`, or the kind of sweep (`matrix`, `hunt`); with a tag,
 * `serial_fix13`.
 */
/** The parallelism a seed-script folder's name says (`serial`, `serial_fix8` → serial; `n4_fix8` → 4); null when it says none. */
export function parallelismOfFolderName(name: string): string | null {
  const m = /^(serial|n(\d+))(?:_.*)?$/.exec(name);
  return m === null ? null : (m[2] ?? 'serial');
}

export function sweepFolderName(kind: string, tag: string | null): string {
  const base = /^\d+$/.test(kind) ? `n${kind}` : kind;
  if (tag === null) return base;
  if (!SAFE_TAG.test(tag) || tag.includes('..')) {
    throw new UsageError(
      `tag ${JSON.stringify(tag)} is not a safe folder name: use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 64, no '..')`,
    );
  }
  return `${base}_${tag}`;
}

/** `run007`: three digits at least, more once past 999. */
export function runName(iteration: number): string {
  return `run${String(iteration).padStart(3, '0')}`;
}

const RUN_DIR = /^run(\d{3,})$/;

/** The iteration number a `runNNN` folder name stands for, or null. */
export function parseRunName(name: string): number | null {
  const match = RUN_DIR.exec(name);
  return match ? Number(match[1]) : null;
}

/** Every path flakehunt reads or writes in a sweep folder. */
export class SweepLayout {
  constructor(readonly dir: string) {}

  /** The folder's own name, e.g. `serial_fix13`. */
  get name(): string { return path.basename(this.dir); }

  get sweepJson(): string { return path.join(this.dir, 'sweep.json'); }
  get resultsTxt(): string { return path.join(this.dir, 'results.txt'); }
  get resultsJsonl(): string { return path.join(this.dir, 'results.jsonl'); }
  get summaryTxt(): string { return path.join(this.dir, 'summary.txt'); }
  get stopJson(): string { return path.join(this.dir, 'stop.json'); }
  /** proper-lockfile's lock folder guarding the sweep-wide files. */
  get sweepLock(): string { return path.join(this.dir, '.sweep.lock'); }
  get claimsDir(): string { return path.join(this.dir, '.claims'); }
  /** One file per flakehunt process working on the sweep, for `flakehunt status`. */
  get processesDir(): string { return path.join(this.dir, '.processes'); }

  runDir(iteration: number): string { return path.join(this.dir, runName(iteration)); }
  runLog(iteration: number): string { return path.join(this.runDir(iteration), 'run.log'); }
  /** The console log as it is on disk: flakehunt's run.log, else the seed script's pytest.log. */
  consoleLog(iteration: number): string {
    const ours = this.runLog(iteration);
    const seed = path.join(this.runDir(iteration), 'pytest.log');
    return !existsSync(ours) && existsSync(seed) ? seed : ours;
  }
  resultJson(iteration: number): string { return path.join(this.runDir(iteration), 'result.json'); }
  artifactsDir(iteration: number): string { return path.join(this.runDir(iteration), 'artifacts'); }
  forensicsTxt(iteration: number): string { return path.join(this.runDir(iteration), 'forensics.txt'); }
  claimLock(iteration: number): string { return path.join(this.claimsDir, `${runName(iteration)}.lock`); }
  claimInfo(iteration: number): string { return path.join(this.claimsDir, `${runName(iteration)}.json`); }
}
