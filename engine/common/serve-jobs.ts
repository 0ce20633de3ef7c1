/**
 * The worker side of a JobThread (job-thread.ts). Kept apart from it because
 * a worker run from source is CommonJS, where the main side's imports
 * (worker start-up by module URL) do not load.
 */

/** What a job thread answers: the job's id, and an error when it could not run it. */
export interface JobReply { id: number; error?: string }

/**
 * Runs the jobs of each message the thread receives (a JobThread's batch), in
 * order, and posts their replies together: each job's reply, or its id and
 * the error that stopped it.
 */
export function serveJobs<Job extends { id: number }>(port: { on(e: 'message', f: (jobs: Job[]) => void): unknown; postMessage(replies: unknown): void }, run: (job: Job) => Promise<JobReply> | JobReply): void {
  port.on('message', (jobs: Job[]) => {
    void Promise.all(
      jobs.map((job) =>
        Promise.resolve().then(() => run(job)).then(
          (reply) => reply,
          (err: unknown): JobReply => ({ id: job.id, error: (err as Error).message }),
        ),
      ),
    ).then((replies) => port.postMessage(replies));
  });
}
