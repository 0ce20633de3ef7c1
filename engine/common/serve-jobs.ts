/**
 * The worker side of a JobThread (job-thread.ts). Kept apart from it because
 * a worker run from source is CommonJS, where the main side's imports
 * (worker start-up by module URL) do not load.
 */

/** What a job thread answers: the job's id, and an error when it could not run it. */
export interface JobReply { id: number; error?: string }

/** Runs each job the thread receives and posts its reply, or the job's id and the error that stopped it. */
export function serveJobs<Job extends { id: number }>(port: { on(e: 'message', f: (job: Job) => void): unknown; postMessage(reply: unknown): void }, run: (job: Job) => Promise<JobReply> | JobReply): void {
  port.on('message', (job: Job) => {
    Promise.resolve().then(() => run(job)).then(
      (reply) => port.postMessage(reply),
      (err: unknown) => port.postMessage({ id: job.id, error: (err as Error).message } satisfies JobReply),
    );
  });
}
