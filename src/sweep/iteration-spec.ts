import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import type { IterationConditions, RuntimePerturbation } from '../core/conditions.js';
import { FORENSICS_SCRIPT, ORDER_PLUGIN_MODULE, PLUGIN_DIR, PLUGIN_MODULE } from '../core/container-paths.js';
import { secretNames } from '../core/secrets.js';
import type { IterationSpec, ResourceSpec } from '../executors/executor.js';
import { iterationLabels } from '../executors/labels.js';
import { runName } from '../store/layout.js';
import type { ProcessIdentity } from '../store/process-identity.js';
import type { SweepConfig } from './sweep-config.js';
import { testArgv } from './test-command.js';

const TEMPLATE = (file: string) => fileURLToPath(new URL(`../../templates/pytest-plugin/${file}`, import.meta.url));

/** The resources of the container, with the quota, memory limit and CPU the conditions drew. */
function resourcesUnder(resources: ResourceSpec, conditions: IterationConditions | null): ResourceSpec {
  const realized = conditions?.realized ?? {};
  return {
    ...resources,
    cpus: realized.cpus ?? resources.cpus,
    memoryBytes: realized.memoryBytes ?? resources.memoryBytes,
    cpuset: realized.cpuset ?? resources.cpuset,
  };
}

function runtimePerturbation(conditions: IterationConditions | null): RuntimePerturbation | null {
  const { cpuHogs, stalls, ioHogs, net } = conditions?.realized ?? {};
  const runtime: RuntimePerturbation = {};
  if (cpuHogs) runtime.cpuHogs = cpuHogs;
  if (stalls) runtime.stalls = stalls;
  if (ioHogs) runtime.ioHogs = ioHogs;
  if (net) runtime.net = net;
  return Object.keys(runtime).length === 0 ? null : runtime;
}

/** The complete, reproducible description of one iteration's container, under its conditions. */
export function iterationSpec(
  config: SweepConfig,
  sweep: { id: string; dir: string },
  iteration: number,
  owner: ProcessIdentity,
  conditions: IterationConditions | null = null,
): IterationSpec {
  const { container } = config;
  const run = conditions === null ? config.run : { ...config.run, parallelism: conditions.parallelism };
  const order = conditions?.realized.order;
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
  if (conditions !== null && conditions.hashSeed !== null) env.PYTHONHASHSEED = String(conditions.hashSeed);
  if (order !== undefined) env.FLAKEHUNT_ORDER = order.mode === 'shuffle' ? `shuffle:${order.seed}` : 'reverse';
  const inject: Record<string, string> = {};
  const plugins: string[] = [];
  if (run.command === null) {
    // The suite's own PYTHONPATH (from --env) stays, after the plugin's folder.
    env.PYTHONPATH = container.env.PYTHONPATH ? `${PLUGIN_DIR}:${container.env.PYTHONPATH}` : PLUGIN_DIR;
    inject[`${PLUGIN_DIR}/${PLUGIN_MODULE}.py`] = TEMPLATE(`${PLUGIN_MODULE}.py`);
    if (order !== undefined) {
      inject[`${PLUGIN_DIR}/${ORDER_PLUGIN_MODULE}.py`] = TEMPLATE(`${ORDER_PLUGIN_MODULE}.py`);
      plugins.push(ORDER_PLUGIN_MODULE);
    }
  }
  inject[FORENSICS_SCRIPT] = TEMPLATE('flakehunt_forensics.py');
  const suffix = randomBytes(3).toString('hex');
  return {
    name: `flakehunt-${sweep.id}-${runName(iteration)}-${suffix}`,
    sweepId: sweep.id,
    iteration,
    image: run.image,
    argv: testArgv(run, plugins),
    env,
    envPass: container.envPass,
    workdir: container.workdir,
    mounts: container.mounts,
    artifactsDir: container.artifactsDir,
    inject,
    labels: iterationLabels(sweep.id, iteration, sweep.dir, owner),
    resources: resourcesUnder(container.resources, conditions),
    perturbation: runtimePerturbation(conditions),
  };
}
