/** The MD5 thread: one running hash per stream, fed in the order the blocks arrive (md5-stream.ts). */
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { serveJobs } from '../common/serve-jobs.js';
import type { Md5Job, Md5Reply } from './md5-stream.js';

const streams = new Map<number, Hash>();

// Synchronous, so jobs run in the order they were posted.
serveJobs(parentPort!, (job: Md5Job): Md5Reply => {
  if (job.op === 'update') {
    let h = streams.get(job.stream);
    if (!h) streams.set(job.stream, (h = createHash('md5')));
    h.update(new Uint8Array(job.buffer, job.offset, job.length));
    return { id: job.id };
  }
  const h = streams.get(job.stream);
  streams.delete(job.stream);
  if (job.op === 'drop') return { id: job.id };
  return { id: job.id, digest: (h ?? createHash('md5')).digest() };
});
