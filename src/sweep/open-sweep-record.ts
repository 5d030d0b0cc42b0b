import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { UsageError } from '../core/errors.js';
import { publicEnv } from '../core/secrets.js';
import { writeJsonAtomic } from '../store/atomic-write.js';
import type { SweepLayout } from '../store/layout.js';
import { type CompromisedHandler, withLock } from '../store/locks.js';
import type { SequentialQuestion } from '../stats/sequential-question.js';
import { readSweepRecord, type SweepRecord } from '../store/sweep-record.js';
import { identityOf, LATER_IDENTITY_KEYS, type SweepConfig } from './sweep-config.js';

/** Settings with secret-looking values masked and passed-through variables named only. */
function publicSettings(config: SweepConfig, decision: SequentialQuestion | null): SweepRecord['settings'] {
  const { container, limits } = config;
  return {
    pytestLauncher: config.run.pytestLauncher,
    constraints: container.constraints,
    env: publicEnv(container.env),
    envPass: container.envPass,
    mounts: container.mounts,
    workdir: container.workdir,
    resources: container.resources,
    artifactsDir: container.artifactsDir,
    artifactsEnv: container.artifactsEnv,
    timeoutMs: limits.timeoutMs,
    idleTimeoutMs: limits.idleTimeoutMs,
    graceMs: limits.graceMs,
    tag: config.output.tag,
    // What summaries of this sweep report as decided (by whichever process renders them).
    decision,
  };
}

function newSeed(): string {
  return randomBytes(8).toString('hex');
}

function describeDifference(recorded: Record<string, unknown>, wanted: Record<string, unknown>): string | null {
  for (const key of Object.keys(wanted)) {
    if (LATER_IDENTITY_KEYS.has(key) && !(key in recorded)) continue;
    const a = JSON.stringify(recorded[key] ?? null);
    const b = JSON.stringify(wanted[key] ?? null);
    if (a !== b) return `${key} was ${a}, now ${b}`;
  }
  return null;
}

/**
 * Creates sweep.json, or checks that the recorded sweep has the same identity (image, node ids,
 * parallelism, command). A mismatch is refused unless `--force`.
 */
export async function openSweepRecord(
  layout: SweepLayout,
  config: SweepConfig,
  imageId: string | null,
  onCompromised: CompromisedHandler,
  decision: SequentialQuestion | null = null,
): Promise<{ record: SweepRecord; warnings: string[] }> {
  await mkdir(layout.dir, { recursive: true });
  return withLock(layout.sweepLock, onCompromised, async () => {
    const warnings: string[] = [];
    const existing = await readSweepRecord(layout);
    const identity = identityOf(config);
    if (existing !== null) {
      const difference = describeDifference(existing.identity, identity);
      if (difference !== null && !config.schedule.force) {
        throw new UsageError(
          `${layout.dir} holds a sweep with other settings (${difference}): use another --tag for a new sweep, or --force to continue this one anyway`,
        );
      }
      const wantedSeed = config.conditions.seed;
      if (wantedSeed !== null && existing.seed !== undefined && existing.seed !== wantedSeed && !config.schedule.force) {
        throw new UsageError(`${layout.dir} holds a sweep drawn with --seed ${existing.seed}, not ${wantedSeed}: drop --seed to continue it, use another --tag, or --force`);
      }
      if (existing.imageId !== null && imageId !== null && existing.imageId !== imageId) {
        warnings.push(`image ${config.run.image} changed since this sweep started (${existing.imageId.slice(7, 19)} → ${imageId.slice(7, 19)}); each result.json records the image it ran`);
      }
      const seed = wantedSeed ?? existing.seed ?? newSeed();
      const record: SweepRecord = { ...existing, identity: difference !== null ? identity : existing.identity, settings: publicSettings(config, decision), imageId: imageId ?? existing.imageId, seed };
      await writeJsonAtomic(layout.sweepJson, record);
      return { record, warnings };
    }
    const name = path.basename(layout.dir);
    const record: SweepRecord = {
      version: 1,
      sweepId: `${name.replace(/[^A-Za-z0-9_.-]/g, '')}-${randomBytes(3).toString('hex')}`,
      name,
      createdAt: new Date().toISOString(),
      identity,
      imageId,
      settings: publicSettings(config, decision),
      taxonomy: config.output.taxonomyFile,
      seed: config.conditions.seed ?? newSeed(),
    };
    await writeJsonAtomic(layout.sweepJson, record);
    return { record, warnings };
  });
}
