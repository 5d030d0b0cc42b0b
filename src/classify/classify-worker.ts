/** A worker thread of the classify pool: classifies the logs it is sent with the taxonomy it was started with. */
import { parentPort, workerData } from 'node:worker_threads';

import type { JobMessage, ResultMessage, TaxonomyData } from './classify-pool-protocol.js';
import { taxonomyFromData } from './classify-pool-protocol.js';
import { classifyLog } from './classify-log.js';

const taxonomy = taxonomyFromData((workerData as { taxonomy: TaxonomyData }).taxonomy);
const port = parentPort!;

port.on('message', ({ id, job }: JobMessage) => {
  classifyLog({ ...job, taxonomy }).then(
    (result) => port.postMessage({ id, ok: true, result } satisfies ResultMessage),
    () => port.postMessage({ id, ok: false } satisfies ResultMessage),
  );
});
