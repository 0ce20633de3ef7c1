/**
 * The writer thread of one drive. Messages that arrive while a batch commits
 * queue up in the port; the next turn takes them all (up to MAX_BATCH) into
 * one transaction. Under light load a batch is one op; under heavy load the
 * fsync cost is shared by everything that waited for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MetaApplier } from './meta-apply.js';
import type { OpReply, OpRequest, WriterInit } from './meta-ops.js';

const MAX_BATCH = 128;
const port = parentPort!;
const init = workerData as WriterInit;
const applier = new MetaApplier(init.root);
const queue: OpRequest[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  while (queue.length > 0) {
    const batch = queue.splice(0, MAX_BATCH);
    const results = applier.applyBatch(batch.map((r) => r.op));
    const replies: OpReply[] = batch.map((r, i) => ({ id: r.id, result: results[i] }));
    port.postMessage(replies);
  }
}

port.on('message', (msg: OpRequest[] | 'close') => {
  if (msg === 'close') {
    flush();
    applier.close();
    port.close();
    return;
  }
  queue.push(...msg);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
port.postMessage('ready');
