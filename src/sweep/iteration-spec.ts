import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { secretNames } from '../core/secrets.js';
import type { IterationSpec } from '../executors/executor.js';
import { iterationLabels } from '../executors/labels.js';
import { runName } from '../store/layout.js';
import type { ProcessIdentity } from '../store/process-identity.js';
import { PLUGIN_DIR, type SweepConfig } from './sweep-config.js';
import { PLUGIN_MODULE, testArgv } from './test-command.js';

const TEMPLATE = (file: string) => fileURLToPath(new URL(`../../templates/pytest-plugin/${file}`, import.meta.url));

/** The complete, reproducible description of one iteration's container. */
export function iterationSpec(
  config: SweepConfig,
  sweep: { id: string; dir: string },
  iteration: number,
  owner: ProcessIdentity,
): IterationSpec {
  const env: Record<string, string> = {
    ...config.env,
    FLAKEHUNT_ITERATION: String(iteration),
    FLAKEHUNT_SWEEP: sweep.id,
    FLAKEHUNT_ARTIFACTS: config.artifactsDir,
  };
  for (const name of config.artifactsEnv) env[name] = config.artifactsDir;
  // Names only, never values: the in-container plugin masks these variables' values in its reports.
  const secrets = secretNames(config.env, config.envPass);
  if (secrets.length > 0) env.FLAKEHUNT_SECRET_NAMES = secrets.join(',');
  const inject: Record<string, string> = {};
  if (config.command === null) {
    // The suite's own PYTHONPATH (from --env) stays, after the plugin's folder.
    env.PYTHONPATH = config.env.PYTHONPATH ? `${PLUGIN_DIR}:${config.env.PYTHONPATH}` : PLUGIN_DIR;
    inject[`${PLUGIN_DIR}/${PLUGIN_MODULE}.py`] = TEMPLATE(`${PLUGIN_MODULE}.py`);
  }
  inject[`${PLUGIN_DIR}/flakehunt_forensics.py`] = TEMPLATE('flakehunt_forensics.py');
  const suffix = randomBytes(3).toString('hex');
  return {
    name: `flakehunt-${sweep.id}-${runName(iteration)}-${suffix}`,
    sweepId: sweep.id,
    iteration,
    image: config.image,
    argv: testArgv(config),
    env,
    envPass: config.envPass,
    workdir: config.workdir,
    mounts: config.mounts,
    artifactsDir: config.artifactsDir,
    inject,
    labels: iterationLabels(sweep.id, iteration, sweep.dir, owner),
    resources: config.resources,
  };
}
