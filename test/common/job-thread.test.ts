import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GranaryError } from '../../engine/common/errors.js';
import { JobThread } from '../../engine/common/job-thread.js';
import type { JobReply } from '../../engine/common/serve-jobs.js';

interface EchoJob { id: number; op: 'echo' | 'throw' | 'die'; value: string }
interface EchoReply extends JobReply { value: string }

describe('job threads', () => {
  it('answer each job by id, fail the jobs of a thread that dies, and start a new one for the next', { timeout: 20_000 }, async () => {
    const thread = new JobThread<EchoJob, EchoReply>('echo', new URL('../helpers/echo.worker', import.meta.url), null);
    const answers = await Promise.all(['a', 'b', 'c'].map((value) => thread.run({ op: 'echo', value })));
    assert.deepEqual(answers.map((r) => r.value), ['a', 'b', 'c']);

    await assert.rejects(thread.run({ op: 'throw', value: 'x' }), (err: unknown) => err instanceof GranaryError && err.code === 'InternalError' && /echo: refused x/.test(err.message));
    assert.equal((await thread.run({ op: 'echo', value: 'after a failed job' })).value, 'after a failed job');

    // Jobs of one turn travel as one message: these two share a fate.
    const together = [thread.run({ op: 'echo', value: 'one' }), thread.run({ op: 'echo', value: 'two' })];
    assert.deepEqual((await Promise.all(together)).map((r) => r.value), ['one', 'two']);
    const held = thread.run({ op: 'echo', value: 'queued behind the death' });
    await new Promise((r) => setImmediate(r));
    const death = thread.run({ op: 'die', value: '' });
    // The echo posted in the earlier turn is answered; the thread then exits holding the second job.
    assert.equal((await held).value, 'queued behind the death');
    await assert.rejects(death, (err: unknown) => err instanceof GranaryError && /echo thread: exited with code 3/.test(err.message));
    assert.equal((await thread.run({ op: 'echo', value: 'new thread' })).value, 'new thread');
  });
});
