import { LocalExecutor } from '../../src/executors/local/local-executor.js';
import { describeExecutorConformance, PROGRAMS_ON_HOST } from './executor-conformance.js';

// The local executor runs the fixture programs straight from the host: no image, no mounts.
describeExecutorConformance('local', {
  makeExecutor: () => new LocalExecutor(),
  image: null,
  programsDir: PROGRAMS_ON_HOST,
  mounts: [],
});
