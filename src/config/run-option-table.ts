import path from 'node:path';

import { isBaselineCounts } from '../core/baseline-counts.js';
import { DEFAULT_ARTIFACTS_DIR } from '../core/container-paths.js';
import { UsageError } from '../core/errors.js';
import { EXECUTOR_CHOICES, parseExecutorKind } from '../executors/registry.js';
import { PERTURBATION_HELP, parsePerturbation } from './perturbation-spec.js';
import {
  byteSize, duration, environment, gpus, imageReference, list, mount, nonEmptyWords, optionalText, outputFile, parallelism, positiveNumber, rate, ulimit, variableNames, wholeNumber, words,
} from './option-parsers.js';

/** Where an option's value is resolved: relative paths are relative to `baseDir`. */
export interface ParseContext {
  /** The long flag, for messages: `--timeout`. */
  flag: string;
  /** The working directory for a flag, the config file's folder for a value from the file. */
  baseDir: string;
}

/** One option of `flakehunt run`: its flag, config-file key (the table key), default, help and parser. */
export interface RunOptionSpec<T> {
  /** commander's flag syntax: `-i, --image <image>`. */
  flags: string;
  help: string;
  /** The value when neither a flag nor the config file gives one, in the form a user would write it. */
  default?: string | number | boolean;
  /** Collects every use into a list (`--env A=1 --env B=2`). */
  repeatable?: boolean;
  /** In a config file, also an object of names to values (`"env": {"A": "1"}`). */
  objectOfValues?: boolean;
  /** A flag of one invocation (`--force`, `--dry-run`), not a key of the config file. */
  invocationOnly?: boolean;
  /** Turns the given value (undefined when none is given and there is no default) into the setting. */
  parse(value: unknown, context: ParseContext): T;
}

function option<T>(spec: RunOptionSpec<T>): RunOptionSpec<T> {
  return spec;
}

const flag = (value: unknown) => value === true;
const optionalWhole = (value: unknown, { flag }: ParseContext) => (value === undefined || value === null ? null : wholeNumber(value, flag));
const optionalBytes = (value: unknown, { flag }: ParseContext) => (value === undefined || value === null ? null : byteSize(value, flag));

function nodeIds(value: unknown): string[] {
  const ids = list(value);
  for (const id of ids) {
    if (id.startsWith('-')) throw new UsageError(`--pytest-nodeid ${JSON.stringify(id)} starts with '-': pass pytest options with --pytest-args instead`);
    if (id.includes('\0') || id.trim() === '') throw new UsageError('--pytest-nodeid must be a non-empty node id or path');
  }
  return ids;
}

function annotationsKind(value: unknown, flag: string): 'github' | null {
  if (value === undefined || value === null) return null;
  if (value !== 'github') throw new UsageError(`${flag} ${JSON.stringify(value)}: only github is known (::error workflow commands)`);
  return 'github';
}

function artifactsDir(value: unknown): string {
  const dir = String(value);
  if (!dir.startsWith('/') || dir === '/') throw new UsageError(`--artifacts-dir must be an absolute folder inside the container other than /, got ${JSON.stringify(dir)}`);
  return dir;
}

/**
 * Every option of `flakehunt run`, declared once: the command's flags and `--help`, the config
 * file's keys and the resolved SweepConfig all come from this table. Adding an option is one entry
 * here and its place in `resolveRunConfig`.
 */
export const RUN_OPTIONS = {
  image: option({ flags: '-i, --image <image>', help: 'Docker image to test (required with the docker executor)', parse: (v, { flag }) => imageReference(v, flag) }),
  pytestNodeid: option({ flags: '--pytest-nodeid <id>', help: 'pytest node id or path to run (repeatable)', repeatable: true, parse: nodeIds }),
  parallelism: option({ flags: '-p, --parallelism <serial|N>', help: 'serial (no xdist) or N for pytest -n N', default: 'serial', parse: parallelism }),
  start: option({ flags: '-s, --start <n>', help: 'first iteration', default: 1, parse: (v, { flag }) => wholeNumber(v, flag) }),
  end: option({ flags: '-e, --end <n>', help: 'last iteration', default: 100, parse: (v, { flag }) => wholeNumber(v, flag) }),
  tag: option({ flags: '-t, --tag <tag>', help: 'suffix of the sweep folder: logs/<kind>_<tag>, the kind being serial, nN, matrix or hunt', parse: optionalText }),
  logsDir: option({ flags: '--logs-dir <dir>', help: 'output root', default: 'logs', parse: (v, { baseDir }) => path.resolve(baseDir, String(v)) }),
  pytestArgs: option({ flags: '--pytest-args <args>', help: 'extra pytest arguments, e.g. "--timeout 90 -x"', parse: (v, { flag }) => words(v, flag) ?? [] }),
  pytestLauncher: option({ flags: '--pytest-launcher <cmd>', help: 'how to start pytest', default: 'python3 -m pytest', parse: (v, { flag }) => nonEmptyWords(v, flag) }),
  command: option({ flags: '--command <cmd>', help: 'run this command instead of pytest (go test, cargo test, a script); split into words, never run by a shell', parse: (v, { flag }) => words(v, flag) }),
  config: option({ flags: '--config <file>', help: 'config file (default ./flakehunt.config.json when present); flags win', invocationOnly: true, parse: optionalText }),
  env: option({ flags: '--env <KEY=VAL>', help: 'set a variable in the container (repeatable)', repeatable: true, objectOfValues: true, parse: environment }),
  envPass: option({ flags: '--env-pass <NAME>', help: 'pass a host variable by name; its value is never written anywhere (repeatable)', repeatable: true, parse: (v, { flag }) => variableNames(v, flag) }),
  mount: option({ flags: '--mount <host:container[:ro]>', help: 'bind-mount a host path (repeatable)', repeatable: true, parse: (v, { baseDir }) => list(v).map((entry) => mount(entry, baseDir)) }),
  constraint: option({ flags: '--constraint <expr>', help: 'with --executor swarm: the nodes iterations may run on, e.g. node.labels.gpu==true (repeatable)', repeatable: true, parse: (v) => list(v) }),
  workdir: option({ flags: '--workdir <dir>', help: 'working directory in the container', parse: optionalText }),
  network: option({ flags: '--network <name>', help: 'Docker network (e.g. host, none)', parse: optionalText }),
  shmSize: option({ flags: '--shm-size <size>', help: 'size of /dev/shm, e.g. 2g', parse: optionalBytes }),
  ulimit: option({ flags: '--ulimit <name=soft[:hard]>', help: 'a ulimit, e.g. nofile=65536 (repeatable)', repeatable: true, parse: (v) => list(v).map(ulimit) }),
  gpus: option({ flags: '--gpus <all|N|device=IDS>', help: 'GPUs to pass to the container', parse: (v) => (v === undefined || v === null ? null : gpus(String(v))) }),
  cpus: option({ flags: '--cpus <n>', help: 'CPU limit, e.g. 1.5', parse: (v, { flag }) => (v === undefined || v === null ? null : positiveNumber(v, flag, '1.5')) }),
  memory: option({ flags: '--memory <size>', help: 'memory limit, e.g. 8g', parse: optionalBytes }),
  init: option({ flags: '--no-init', help: 'run the test command as PID 1 instead of under an init process', default: true, parse: (v) => v !== false }),
  artifactsDir: option({ flags: '--artifacts-dir <dir>', help: 'artifacts folder in the container, copied out after each run', default: DEFAULT_ARTIFACTS_DIR, parse: artifactsDir }),
  artifactsEnv: option({ flags: '--artifacts-env <NAME>', help: 'also export the artifacts folder under this name, e.g. DYN_TEST_OUTPUT_PATH (repeatable)', repeatable: true, parse: (v, { flag }) => variableNames(v, flag) }),
  timeout: option({ flags: '--timeout <dur>', help: 'wall-clock limit per iteration, e.g. 90s, 10m, 2h; 0 = none', default: '1h', parse: (v, { flag }) => duration(v, flag) }),
  idleTimeout: option({ flags: '--idle-timeout <dur>', help: 'stop an iteration after this long without output', default: '15m', parse: (v, { flag }) => duration(v, flag) }),
  grace: option({ flags: '--grace <dur>', help: 'time between SIGTERM and SIGKILL when stopping a container', default: '10s', parse: (v, { flag }) => duration(v, flag) }),
  jobs: option({ flags: '-j, --jobs <n>', help: 'iterations (containers) at once (default 1)', parse: optionalWhole }),
  chunkSize: option({ flags: '--chunk-size <n>', help: 'hand out iterations in chunks of n consecutive ones, each chunk run in order by one worker', parse: optionalWhole }),
  chunkParallel: option({ flags: '--chunk-parallel <m>', help: 'chunks at once (the same as --jobs when chunking)', parse: optionalWhole }),
  untilFail: option({ flags: '--until-fail', help: 'stop the sweep (all its processes) at the first failing iteration', parse: flag }),
  maxFailures: option({ flags: '--max-failures <n>', help: 'stop the sweep (all its processes) after n failing iterations', parse: optionalWhole }),
  taxonomy: option({ flags: '--taxonomy <file>', help: 'failure taxonomy rules (default templates/taxonomy/dynamo-router.json)', parse: (v, { baseDir }) => (v === undefined || v === null ? null : path.resolve(baseDir, String(v))) }),
  perturb: option({ flags: '--perturb <spec>', help: `perturb every iteration to make flakes show sooner: ${PERTURBATION_HELP}`, parse: (v, { flag }) => parsePerturbation(v === undefined || v === null ? 'none' : String(v), flag) }),
  matrix: option({ flags: '--matrix <name=v1,v2,…>', help: 'run cells interleaved: parallelism=serial,4 or any name with perturbation values, e.g. noise=none,cpu:0.3 (repeatable: the product)', repeatable: true, parse: (v) => list(v) }),
  seed: option({ flags: '--seed <text>', help: 'the seed of every per-iteration draw (default: drawn once, kept in sweep.json)', parse: optionalText }),
  untilDecided: option({ flags: '--until-decided', help: 'stop as soon as a sequential test answers: is the rate below --target-rate, or below --baseline\'s? (every process of the sweep obeys)', parse: flag }),
  targetRate: option({ flags: '--target-rate <rate>', help: 'with --until-decided: the failure rate to show the suite is below, e.g. 1%', parse: (v, { flag }) => (v === undefined || v === null ? null : rate(v, flag)) }),
  baseline: option({ flags: '--baseline <sweep>', help: 'with --until-decided: a finished sweep (before the fix) to show the rate is below, or its counts (13/50)', parse: (v, { baseDir }) => (v === undefined || v === null ? null : isBaselineCounts(String(v)) ? String(v).replace(/\s+/g, '') : path.resolve(baseDir, String(v))) }),
  alpha: option({ flags: '--alpha <rate>', help: 'with --until-decided: the chance of a wrong "fixed"/"better"', default: '5%', parse: (v, { flag }) => rate(v, flag) }),
  power: option({ flags: '--power <rate>', help: 'with --until-decided: the chance of "fixed" at a tenth of the target (or baseline) rate', default: '80%', parse: (v, { flag }) => rate(v, flag) }),
  junit: option({ flags: '--junit <file>', help: 'also write the sweep as JUnit XML (one testsuite per iteration) when it ends', parse: (v, { baseDir, flag }) => (v === undefined || v === null ? null : outputFile(v, flag, baseDir)) }),
  annotations: option({ flags: '--annotations <github>', help: 'print CI annotations for failing tests (::error lines for GitHub Actions)', parse: (v, { flag }) => annotationsKind(v, flag) }),
  executor: option({ flags: `--executor <${EXECUTOR_CHOICES}>`, help: 'where iterations run', default: 'docker', parse: (v, { flag }) => parseExecutorKind(v, flag) }),
  infraRetries: option({ flags: '--infra-retries <n>', help: 'retries of an iteration after an infrastructure error', default: 2, parse: (v, { flag }) => wholeNumber(v, flag, 0) }),
  force: option({ flags: '--force', help: 're-run finished iterations (old files are kept aside) and accept changed sweep settings', invocationOnly: true, parse: flag }),
  dryRun: option({ flags: '--dry-run', help: "print the plan and each iteration's container spec; run and write nothing", invocationOnly: true, parse: flag }),
  json: option({ flags: '--json', help: 'print the final summary as JSON on stdout', invocationOnly: true, parse: flag }),
  progress: option({ flags: '--no-progress', help: 'no progress bar, even on a terminal', invocationOnly: true, default: true, parse: (v) => v !== false }),
};

export type RunOptionKey = keyof typeof RUN_OPTIONS;
/** The resolved value of every run option. */
export type RunValues = { [K in RunOptionKey]: ReturnType<(typeof RUN_OPTIONS)[K]['parse']> };

/** The keys a config file may set: the `run` flags in camelCase, less those of one invocation. */
export const CONFIG_KEYS = (Object.keys(RUN_OPTIONS) as RunOptionKey[]).filter((key) => RUN_OPTIONS[key].invocationOnly !== true);

/** `--idle-timeout` from `--idle-timeout <dur>`; `--init` from `--no-init`. */
export function longFlag(spec: RunOptionSpec<unknown>): string {
  const long = /--(?:no-)?([a-z][a-z-]*)/.exec(spec.flags)![0];
  return long.replace(/^--no-/, '--');
}
