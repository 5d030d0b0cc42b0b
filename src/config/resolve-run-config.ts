import { DEFAULT_TAXONOMY } from '../classify/taxonomy-loader.js';
import { kindsOf } from '../core/conditions.js';
import { UsageError } from '../core/errors.js';
import { executorEntry, type ExecutorKind } from '../executors/registry.js';
import type { DecisionRequest, MatrixCell, SweepConfig } from '../sweep/sweep-config.js';
import type { ConfigValues } from './config-file.js';
import { cellsOf, matrixSetsParallelism } from './matrix-spec.js';
import { longFlag, RUN_OPTIONS, type RunOptionKey, type RunValues } from './run-option-table.js';

/** Consecutive infrastructure errors after which a sweep stops (documented in the README). */
const MAX_CONSECUTIVE_INFRA_ERRORS = 3;

/** Every option's value: the flag's, else the config file's, else the default; each parsed and checked. */
export function resolveRunValues(flags: ConfigValues, file: ConfigValues, fileDir: string): RunValues {
  const values: Partial<Record<RunOptionKey, unknown>> = {};
  for (const key of Object.keys(RUN_OPTIONS) as RunOptionKey[]) {
    const spec = RUN_OPTIONS[key];
    const fromFlag = flags[key] !== undefined;
    const given = fromFlag ? flags[key] : spec.invocationOnly ? undefined : file[key];
    values[key] = spec.parse(given ?? spec.default, { flag: longFlag(spec), baseDir: fromFlag ? process.cwd() : fileDir });
  }
  return values as RunValues;
}

/** `--jobs` and `--chunk-parallel` are one setting by two names: flags win over the file, whichever name either uses. */
function jobsOf(flags: ConfigValues, file: ConfigValues, values: RunValues): number {
  for (const source of [flags, file]) {
    if (source.jobs !== undefined && source.chunkParallel !== undefined && Number(source.jobs) !== Number(source.chunkParallel)) {
      throw new UsageError('--jobs and --chunk-parallel both set how many run at once: give one of them');
    }
  }
  const fromFlags = flags.jobs !== undefined || flags.chunkParallel !== undefined;
  const jobsFirst = fromFlags ? flags.jobs !== undefined : file.jobs !== undefined;
  return (jobsFirst ? values.jobs : values.chunkParallel) ?? values.jobs ?? values.chunkParallel ?? 1;
}

/** Merges flags over the config file over defaults, validating every value and how they fit together. Flags win. */
export function resolveRunConfig(flags: ConfigValues, file: ConfigValues, fileDir: string): SweepConfig {
  const v = resolveRunValues(flags, file, fileDir);
  if (v.command === null && v.pytestNodeid.length === 0) throw new UsageError('nothing to run: give --pytest-nodeid (repeatable) or --command "<test runner command>"');
  if (v.command !== null && v.command.length === 0) throw new UsageError('--command is empty: give the test runner command, e.g. --command "go test ./..."');
  if (v.start > v.end) throw new UsageError(`--start ${v.start} is after --end ${v.end}: the range must be start ≤ end, e.g. -s 1 -e 50`);
  const image = v.image === null || v.image.trim() === '' ? null : v.image;
  if (executorEntry(v.executor).needsImage && image === null) {
    throw new UsageError(`--image is required with the ${v.executor} executor: name the image to test, e.g. -i dynamo:latest-dev (or --executor local)`);
  }
  if (matrixSetsParallelism(v.matrix) && (flags.parallelism !== undefined || file.parallelism !== undefined)) {
    throw new UsageError('--matrix parallelism=… and --parallelism both set the parallelism: give it in one place');
  }
  if (v.constraint.length > 0 && v.executor !== 'swarm') throw new UsageError('--constraint places iterations on swarm nodes: add --executor swarm, or drop it');
  const cells = cellsOf(v.matrix, { parallelism: v.parallelism, perturbation: v.perturb });
  const decide = decisionOf(v);
  checkCells(cells, v.executor, v.command !== null);
  return {
    executor: v.executor,
    run: { image: v.image, nodeids: v.pytestNodeid, parallelism: v.parallelism, pytestLauncher: v.pytestLauncher, pytestArgs: v.pytestArgs, command: v.command },
    container: {
      constraints: v.constraint,
      env: v.env,
      envPass: v.envPass,
      mounts: v.mount,
      workdir: v.workdir,
      resources: { init: v.init, network: v.network, shmBytes: v.shmSize, ulimits: v.ulimit, gpus: v.gpus, cpus: v.cpus, memoryBytes: v.memory, cpuset: null },
      artifactsDir: v.artifactsDir,
      artifactsEnv: v.artifactsEnv,
    },
    limits: { timeoutMs: v.timeout, idleTimeoutMs: v.idleTimeout, graceMs: v.grace },
    schedule: { start: v.start, end: v.end, jobs: jobsOf(flags, file, v), chunkSize: v.chunkSize, force: v.force, infraRetries: v.infraRetries },
    stop: { untilFail: v.untilFail, maxFailures: v.maxFailures, reproduce: null, decide, maxConsecutiveInfraErrors: MAX_CONSECUTIVE_INFRA_ERRORS },
    output: { logsDir: v.logsDir, tag: v.tag, taxonomyFile: v.taxonomy ?? DEFAULT_TAXONOMY, junit: v.junit, annotations: v.annotations },
    conditions: { cells, matrix: v.matrix.length === 0 ? null : v.matrix, seed: v.seed, replayOf: null },
    hunt: null,
  };
}

/** The question of --until-decided, checked: exactly one of --target-rate and --baseline, and only with it. */
function decisionOf(v: RunValues): DecisionRequest | null {
  if (!v.untilDecided) {
    if (v.targetRate !== null || v.baseline !== null) throw new UsageError('--target-rate and --baseline ask a question for --until-decided: add --until-decided (or use flakehunt plan / compare)');
    return null;
  }
  if ((v.targetRate === null) === (v.baseline === null)) {
    throw new UsageError('--until-decided needs the question: --target-rate 1% (is it fixed?) or --baseline logs/serial_before (is it better than before?), one of the two');
  }
  if (!(v.alpha < v.power)) throw new UsageError(`--alpha ${v.alpha} must be below --power ${v.power}`);
  return v.targetRate !== null
    ? { mode: 'target', targetRate: v.targetRate, alpha: v.alpha, power: v.power }
    : { mode: 'baseline', baseline: v.baseline!, alpha: v.alpha, power: v.power };
}

/** Every cell can run: the executor applies its perturbations, and test order has a pytest to reorder. */
export function checkCells(cells: MatrixCell[], executor: ExecutorKind, commandMode: boolean): void {
  const supported = new Set(executorEntry(executor).perturbations);
  for (const cell of cells) {
    const missing = kindsOf(cell.perturbation).filter((kind) => !supported.has(kind));
    if (missing.length > 0) {
      throw new UsageError(`${cell.perturbationText} needs an executor that can apply ${missing.join(', ')}; the ${executor} executor cannot: use --executor docker`);
    }
    if (commandMode && cell.perturbation.order !== undefined) {
      throw new UsageError(`${cell.perturbation.order} reorders pytest's tests, but --command runs something else: drop it, or run pytest with --pytest-nodeid`);
    }
  }
}
