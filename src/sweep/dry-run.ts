import { formatDuration } from '../core/durations.js';
import { isVerdict, type IterationResult } from '../core/result.js';
import { worstCaseIterations } from '../stats/sequential-oc.js';
import type { Executor } from '../executors/executor.js';
import { runName, SweepLayout } from '../store/layout.js';
import { currentProcess } from '../store/process-identity.js';
import { readJsonIfExists } from '../store/read-json.js';
import { readSweepRecord } from '../store/sweep-record.js';
import { cellChoiceFor } from './cell-choice.js';
import { ConditionsPlanner } from './conditions.js';
import { resolveDecision } from './decision.js';
import { iterationSpec } from './iteration-spec.js';
import { type SweepConfig, sweepDirOf } from './sweep-config.js';

/** Stands in for the seed a new sweep draws when it is created (without --seed the real draws differ). */
const PROVISIONAL_SEED = 'dry-run';

/**
 * The plan of a sweep and the exact spec of each iteration as the executor would create it, under
 * the conditions the sweep would draw for it, read-only: starts nothing, writes nothing (the
 * executor only describes; no daemon is asked). A --baseline is read, as the run would.
 */
export async function describeDryRun(config: SweepConfig, executor: Pick<Executor, 'describe'>): Promise<string> {
  const layout = new SweepLayout(sweepDirOf(config));
  const record = await readSweepRecord(layout).catch(() => null);
  const sweepId = record?.sweepId ?? `${layout.name}-<new>`;
  const { schedule, limits } = config;
  const seed = record?.seed ?? config.conditions.seed;
  const lines = [
    `dry run: nothing is started or written`,
    `sweep folder: ${layout.dir}${record ? ` (exists, sweep ${record.sweepId})` : ' (new)'}`,
    `executor: ${config.executor}${config.run.image ? `, image ${config.run.image}` : ''}; ${schedule.jobs} at a time${schedule.chunkSize ? ` in chunks of ${schedule.chunkSize}` : ''}`,
    `limits: --timeout ${formatDuration(limits.timeoutMs)}, --idle-timeout ${formatDuration(limits.idleTimeoutMs)}, --grace ${formatDuration(limits.graceMs)}`,
    seed !== null && seed !== undefined
      ? `conditions: drawn from seed ${seed}`
      : `conditions: drawn from a seed the sweep picks when it is created (shown with a stand-in: pass --seed to fix the draws)`,
  ];
  if (config.hunt !== null) lines.push('cells: a hunt chooses each iteration\'s cell from the results so far; shown as chosen before any');
  if (config.stop.decide !== null) {
    const { plan } = await resolveDecision(config.stop.decide);
    lines.push(`until decided: at most ${worstCaseIterations(plan.boundaries)} iteration(s)`);
  }
  const owner = currentProcess();
  const planner = new ConditionsPlanner(config, seed ?? PROVISIONAL_SEED, cellChoiceFor(config, seed ?? PROVISIONAL_SEED));
  let filesShown = false;
  for (let i = schedule.start; i <= schedule.end; i += 1) {
    const existing = await readJsonIfExists<IterationResult>(layout.resultJson(i)).catch(() => null);
    const done = existing !== null && isVerdict(existing);
    if (done && !schedule.force) {
      lines.push(`${runName(i)}: skip (finished: ${existing.status})`);
      continue;
    }
    const conditions = planner.conditionsFor(i, []);
    const spec = iterationSpec(config, { id: sweepId, dir: layout.dir }, i, owner, conditions);
    if (!filesShown) {
      lines.push(`each container also gets: ${Object.entries(spec.inject).map(([target, source]) => `${target} (from ${source})`).join(', ')}; its artifacts folder ${spec.artifactsDir}`);
      filesShown = true;
    }
    const cell = conditions.cell === null ? '' : ` (cell ${conditions.cell})`;
    const runtime = spec.perturbation === null ? '' : `; while it runs: ${JSON.stringify(spec.perturbation)}`;
    lines.push(`${runName(i)}${cell}: ${done ? 're-run (--force), ' : ''}${JSON.stringify(executor.describe(spec))}${runtime}`);
  }
  return `${lines.join('\n')}\n`;
}
