/** A job thread for test/common/job-thread.test.ts: echoes, fails a job, or dies, as each job asks. */
import { parentPort } from 'node:worker_threads';
import { serveJobs } from '../../engine/common/serve-jobs.js';

interface EchoJob { id: number; op: 'echo' | 'throw' | 'die'; value: string }

serveJobs(parentPort!, (job: EchoJob) => {
  if (job.op === 'die') process.exit(3);
  if (job.op === 'throw') throw new Error(`refused ${job.value}`);
  return { id: job.id, value: job.value };
});
