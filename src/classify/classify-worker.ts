/** A worker thread of the classify pool: classifies the logs it is sent with the taxonomy it was started with. */
import { parentPort, workerData } from 'node:worker_threads';

import type { JobMessage, ResultMessage, WorkerStart } from './classify-pool-protocol.js';
import { classifyLog } from './classify-log.js';
import { compileTaxonomy } from './taxonomy-loader.js';

const start = workerData as WorkerStart;
const taxonomy = compileTaxonomy(start.taxonomy, start.source);
const port = parentPort!;

port.on('message', ({ id, job }: JobMessage) => {
  classifyLog({ ...job, taxonomy }).then(
    (result) => port.postMessage({ id, ok: true, result } satisfies ResultMessage),
    () => port.postMessage({ id, ok: false } satisfies ResultMessage),
  );
});
