import { JobThread } from '../common/job-thread.js';
import { HASH_LEN } from './bitrot.js';
import type { SpanJob, SpanReply } from './span-decode.js';

const thread = new JobThread<SpanJob, SpanReply>('span decoder', new URL('./span-decode.worker', import.meta.url), { hashLen: HASH_LEN });

/** The span decoder thread, shared by every rebuild of the process. */
export const spanDecoder = {
  /** Checks the job's sources and, when all are intact, rebuilds its targets in the buffer; resolves to the corrupt sources. */
  async decode(job: Omit<SpanJob, 'id'>): Promise<number[]> {
    return (await thread.run(job)).corrupt;
  },
};
