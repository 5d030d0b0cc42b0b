import { isVerdict, type IterationResult } from '../core/result.js';
import type { Executor } from '../executors/executor.js';
import { runName, SweepLayout } from '../store/layout.js';
import { currentProcess } from '../store/process-identity.js';
import { readJsonIfExists } from '../store/read-json.js';
import { readSweepRecord } from '../store/sweep-record.js';
import { iterationSpec } from './iteration-spec.js';
import { type SweepConfig, sweepDirOf } from './sweep-config.js';

/**
 * The plan of a sweep and the exact spec of each iteration as the executor would create it,
 * read-only: starts nothing, writes nothing (the executor only describes; no daemon is asked).
 */
export async function describeDryRun(config: SweepConfig, executor: Pick<Executor, 'describe'>): Promise<string> {
  const layout = new SweepLayout(sweepDirOf(config));
  const record = await readSweepRecord(layout).catch(() => null);
  const sweepId = record?.sweepId ?? `${layout.name}-<new>`;
  const { schedule, limits } = config;
  const lines = [
    `dry run: nothing is started or written`,
    `sweep folder: ${layout.dir}${record ? ` (exists, sweep ${record.sweepId})` : ' (new)'}`,
    `executor: ${config.executor}${config.run.image ? `, image ${config.run.image}` : ''}; ${schedule.jobs} at a time${schedule.chunkSize ? ` in chunks of ${schedule.chunkSize}` : ''}`,
    `limits: --timeout ${limits.timeoutMs}ms, --idle-timeout ${limits.idleTimeoutMs}ms, --grace ${limits.graceMs}ms`,
  ];
  const owner = currentProcess();
  for (let i = schedule.start; i <= schedule.end; i += 1) {
    const existing = await readJsonIfExists<IterationResult>(layout.resultJson(i)).catch(() => null);
    const done = existing !== null && isVerdict(existing);
    if (done && !schedule.force) {
      lines.push(`${runName(i)}: skip (finished: ${existing.status})`);
      continue;
    }
    const shown = executor.describe(iterationSpec(config, { id: sweepId, dir: layout.dir }, i, owner));
    lines.push(`${runName(i)}: ${done ? 're-run (--force), ' : ''}${JSON.stringify(shown)}`);
  }
  return `${lines.join('\n')}\n`;
}
