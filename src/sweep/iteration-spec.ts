import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { FORENSICS_SCRIPT, PLUGIN_DIR, PLUGIN_MODULE } from '../core/container-paths.js';
import { secretNames } from '../core/secrets.js';
import type { IterationSpec } from '../executors/executor.js';
import { iterationLabels } from '../executors/labels.js';
import { runName } from '../store/layout.js';
import type { ProcessIdentity } from '../store/process-identity.js';
import type { SweepConfig } from './sweep-config.js';
import { testArgv } from './test-command.js';

const TEMPLATE = (file: string) => fileURLToPath(new URL(`../../templates/pytest-plugin/${file}`, import.meta.url));

/** The complete, reproducible description of one iteration's container. */
export function iterationSpec(
  config: SweepConfig,
  sweep: { id: string; dir: string },
  iteration: number,
  owner: ProcessIdentity,
): IterationSpec {
  const { run, container } = config;
  const env: Record<string, string> = {
    ...container.env,
    FLAKEHUNT_ITERATION: String(iteration),
    FLAKEHUNT_SWEEP: sweep.id,
    FLAKEHUNT_ARTIFACTS: container.artifactsDir,
  };
  for (const name of container.artifactsEnv) env[name] = container.artifactsDir;
  // Names only, never values: the in-container plugin masks these variables' values in its reports.
  const secrets = secretNames(container.env, container.envPass);
  if (secrets.length > 0) env.FLAKEHUNT_SECRET_NAMES = secrets.join(',');
  const inject: Record<string, string> = {};
  if (run.command === null) {
    // The suite's own PYTHONPATH (from --env) stays, after the plugin's folder.
    env.PYTHONPATH = container.env.PYTHONPATH ? `${PLUGIN_DIR}:${container.env.PYTHONPATH}` : PLUGIN_DIR;
    inject[`${PLUGIN_DIR}/${PLUGIN_MODULE}.py`] = TEMPLATE(`${PLUGIN_MODULE}.py`);
  }
  inject[FORENSICS_SCRIPT] = TEMPLATE('flakehunt_forensics.py');
  const suffix = randomBytes(3).toString('hex');
  return {
    name: `flakehunt-${sweep.id}-${runName(iteration)}-${suffix}`,
    sweepId: sweep.id,
    iteration,
    image: run.image,
    argv: testArgv(run),
    env,
    envPass: container.envPass,
    workdir: container.workdir,
    mounts: container.mounts,
    artifactsDir: container.artifactsDir,
    inject,
    labels: iterationLabels(sweep.id, iteration, sweep.dir, owner),
    resources: container.resources,
  };
}
