import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { it } from 'node:test';

/** Each thread of this process by id, with its nice value (field 19 of /proc/self/task/TID/stat). */
function niceOfThreads(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      // The command name (field 2) may hold spaces: the fields after it start after its closing parenthesis.
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      nice.set(Number(tid), Number(rest[16]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return nice;
}

// Skipped where nice 10 would not be lower (a test run already niced that far).
it('the span decoder (rebuilds and deep checks only) runs at a lower CPU priority; the main thread keeps its own', { skip: process.platform !== 'linux' || os.getPriority() >= 10, timeout: 30_000 }, async () => {
  const before = niceOfThreads();
  const mainNice = before.get(process.pid);
  const { spanDecoder } = await import('../../engine/erasure/span-decoder.js');
  // The thread starts with its first job; an empty span is a job it answers.
  assert.deepEqual(await spanDecoder.decode({ buffer: new SharedArrayBuffer(0), k: 2, m: 2, fullShard: 64, stride: 0, lengths: [], sources: [], targets: [] }), []);
  const niced = [...niceOfThreads()].filter(([tid, n]) => n === 10 && !before.has(tid));
  assert.equal(niced.length, 1, 'exactly one new thread, the decoder, runs at nice 10');
  assert.equal(niceOfThreads().get(process.pid), mainNice, 'the main thread, which serves clients, keeps its priority');
});
