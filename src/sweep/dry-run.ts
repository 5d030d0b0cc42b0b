import path from 'node:path';

import { publicEnv } from '../core/secrets.js';
import { containerCreateOptions } from '../executors/docker/container-spec.js';
import { runName, SweepLayout, sweepFolderName } from '../store/layout.js';
import { currentProcess } from '../store/process-identity.js';
import { readJsonIfExists } from '../store/read-json.js';
import { isVerdict, type IterationResult } from '../core/result.js';
import { iterationSpec } from './iteration-spec.js';
import type { SweepConfig } from './sweep-config.js';
import type { SweepRecord } from './sweep-record.js';

/** The plan of a sweep and the exact container spec of each iteration, read-only: touches no daemon, writes nothing. */
export async function describeDryRun(config: SweepConfig): Promise<string> {
  const layout = new SweepLayout(path.resolve(config.logsDir, sweepFolderName(config.parallelism, config.tag)));
  const record = await readJsonIfExists<SweepRecord>(layout.sweepJson).catch(() => null);
  const sweepId = record?.sweepId ?? `${path.basename(layout.dir)}-<new>`;
  const lines = [
    `dry run: nothing is started or written`,
    `sweep folder: ${layout.dir}${record ? ` (exists, sweep ${record.sweepId})` : ' (new)'}`,
    `executor: ${config.executor}${config.image ? `, image ${config.image}` : ''}; ${config.jobs} at a time${config.chunkSize ? ` in chunks of ${config.chunkSize}` : ''}`,
    `limits: --timeout ${config.timeoutMs}ms, --idle-timeout ${config.idleTimeoutMs}ms, --grace ${config.graceMs}ms`,
  ];
  const owner = currentProcess();
  for (let i = config.start; i <= config.end; i += 1) {
    const existing = await readJsonIfExists<IterationResult>(layout.resultJson(i)).catch(() => null);
    const done = existing !== null && isVerdict(existing);
    if (done && !config.force) {
      lines.push(`${runName(i)}: skip (finished: ${existing.status})`);
      continue;
    }
    const spec = iterationSpec(config, { id: sweepId, dir: layout.dir }, i, owner);
    const shown = config.executor === 'docker'
      ? containerCreateOptions(spec, process.env, false)
      : { argv: spec.argv, env: publicEnv(spec.env), envPass: spec.envPass.map((n) => `${n}=<from host, not shown>`), workdir: spec.workdir };
    lines.push(`${runName(i)}: ${done ? 're-run (--force), ' : ''}${JSON.stringify(shown)}`);
  }
  return `${lines.join('\n')}\n`;
}
