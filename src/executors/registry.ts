import type { PerturbationKind } from '../core/conditions.js';
import { UsageError } from '../core/errors.js';
import type { Executor } from './executor.js';

/** What a back end may need to know of the sweep it runs (the swarm: where to place, how long to stop, the shared folder). */
export interface ExecutorOptions {
  constraints: string[];
  graceMs: number;
  /** The sweep folder, which a swarm's nodes must see; null outside a sweep (clean, doctor). */
  sweepDir: string | null;
}

const NO_OPTIONS: ExecutorOptions = { constraints: [], graceMs: 10_000, sweepDir: null };

interface ExecutorEntry {
  /** One line for `--help`. */
  summary: string;
  /** Whether iterations run in an image (`--image` required), or on this machine (`--image` refused). */
  needsImage: boolean;
  /** The perturbations it can apply (test order and PYTHONHASHSEED work everywhere). */
  perturbations: PerturbationKind[];
  /** Those it can apply on this machine now (some need root or a local daemon); by default all of them. */
  availablePerturbations?(): Promise<PerturbationKind[]>;
  /**
   * Loads only the executor asked for: dockerode (with its gRPC and SSH stacks) and execa take about
   * a quarter of a second to load, which every command that needs neither would pay.
   */
  load(options: ExecutorOptions): Promise<Executor>;
}

/** Every back end: adding one is its folder, an entry here, and its tests. */
const EXECUTORS = {
  docker: {
    summary: 'a fresh container per iteration on a Docker daemon',
    needsImage: true,
    perturbations: ['cpus', 'cpuHogs', 'stalls', 'memory', 'ioHogs', 'net'],
    availablePerturbations: async () => {
      const { checkNetworkPerturbation } = await import('./docker/net-perturbation.js');
      const all: PerturbationKind[] = ['cpus', 'cpuHogs', 'stalls', 'memory', 'ioHogs', 'net'];
      return (await checkNetworkPerturbation()) === null ? all : all.filter((kind) => kind !== 'net');
    },
    load: async () => new (await import('./docker/docker-executor.js')).DockerExecutor(),
  },
  local: {
    summary: 'a fresh process group per iteration on this machine, no container',
    needsImage: false,
    perturbations: [],
    load: async () => new (await import('./local/local-executor.js')).LocalExecutor(),
  },
  swarm: {
    summary: 'a Swarm service of one task per iteration, placed by a Docker Swarm (run on a manager)',
    needsImage: true,
    // A task's CPU and memory limits are the service's; pausing, hogs and network need its node's daemon.
    perturbations: ['cpus', 'memory'],
    load: async (options) => new (await import('./swarm/swarm-executor.js')).SwarmExecutor({
      constraints: options.constraints,
      stopGraceMs: options.graceMs,
      sharedDir: options.sweepDir,
    }),
  },
} satisfies Record<string, ExecutorEntry>;

export type ExecutorKind = keyof typeof EXECUTORS;
export const EXECUTOR_KINDS = Object.keys(EXECUTORS) as ExecutorKind[];

export function executorEntry(kind: ExecutorKind): ExecutorEntry {
  return EXECUTORS[kind];
}

/** `docker or local`, `docker, local or swarm`. */
function kindsInWords(): string {
  return EXECUTOR_KINDS.length === 1 ? EXECUTOR_KINDS[0]! : `${EXECUTOR_KINDS.slice(0, -1).join(', ')} or ${EXECUTOR_KINDS.at(-1)}`;
}

export function parseExecutorKind(value: unknown, flag = '--executor'): ExecutorKind {
  const kind = String(value);
  if (!(EXECUTOR_KINDS as string[]).includes(kind)) throw new UsageError(`${flag} must be ${kindsInWords()}, got ${JSON.stringify(kind)}`);
  return kind as ExecutorKind;
}

/** The perturbations the back end can apply on this machine now. */
export async function availablePerturbations(kind: ExecutorKind): Promise<PerturbationKind[]> {
  const entry: ExecutorEntry = EXECUTORS[kind];
  return entry.availablePerturbations ? entry.availablePerturbations() : entry.perturbations;
}

export function createExecutor(kind: ExecutorKind, options: ExecutorOptions = NO_OPTIONS): Promise<Executor> {
  return EXECUTORS[kind].load(options);
}

/** `docker|local`, for flag syntax in help texts. */
export const EXECUTOR_CHOICES = EXECUTOR_KINDS.join('|');
