import { describe, it } from 'vitest';

import { SwarmExecutor } from '../../src/executors/swarm/swarm-executor.js';
import { describeExecutorConformance, PROGRAMS_ON_HOST } from '../conformance/executor-conformance.js';
import { managerOf, requireSwarm, serviceContainerRuns, swarmLeftovers } from './swarm-helpers.js';

const swarm = await requireSwarm();

if (swarm === null) {
  describe.skip('executor conformance: swarm — SKIPPED: no test swarm is up (bin/test-swarm.sh up)', () => {
    it('runs the executor conformance kit against the swarm executor', () => undefined);
  });
} else {
  describeExecutorConformance({
    name: 'swarm',
    // --grace 2s: the swarm applies the grace period fixed when the service is created, and the
    // kit's SIGKILL check stops with a 2 s grace (as the watchdog would with --grace 2s).
    makeExecutor: () => new SwarmExecutor({ docker: managerOf(swarm), stopGraceMs: 2_000 }),
    image: swarm.image,
    // Every node of the test swarm sees this host's files: the fixture programs mount everywhere.
    programsDir: '/programs',
    mounts: [{ host: PROGRAMS_ON_HOST, container: '/programs', readOnly: true }],
    started: async () => undefined,
    reset: () => undefined,
    stillRunning: (running) => serviceContainerRuns(swarm, running.id),
    leftovers: (sweepId) => swarmLeftovers(swarm, sweepId),
    // A service is created at start(): prepare() leaves nothing.
    preparedStates: [],
    artifactsPathIn: (_running, artifactsDir) => artifactsDir,
    // The owner is in the service's labels, from the spec.
    setOwner: async () => undefined,
    reapedNames: (reaped, running) => reaped === running.id || reaped.replace(/^\D+/, '') === running.id.replace(/^\D+/, ''),
    processCount: () => null,
    canRunWithoutInit: true,
    // A node removes a task's container a few seconds after its service is gone.
    settleMs: 5_000,
    cannot: { 'forensics-lists-processes': "a swarm task cannot be exec'd into through the manager: forensics() says where the task runs and how to look" },
  });
}
