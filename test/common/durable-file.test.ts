import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFileDurably, writeFileDurablySync } from '../../engine/common/durable-file.js';

const folder = () => mkdtempSync(join(tmpdir(), 'granary-durable-'));

describe('durable small files', () => {
  it('replace a file whole, with the mode asked for whatever the umask, and leave no temporary file', async () => {
    const dir = folder();
    const file = join(dir, 'master.key');
    const before = process.umask(0o077 ^ 0o777);
    try {
      writeFileDurablySync(file, 'first\n');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      writeFileDurablySync(file, 'second\n', { mode: 0o644 });
      assert.equal(readFileSync(file, 'utf8'), 'second\n');
      assert.equal(statSync(file).mode & 0o777, 0o644);
      await writeFileDurably(file, Buffer.from('third\n'));
      assert.equal(readFileSync(file, 'utf8'), 'third\n');
      assert.equal(statSync(file).mode & 0o777, 0o600);
    } finally {
      process.umask(before);
    }
    assert.deepEqual(readdirSync(dir), ['master.key']);
  });

  it('an exclusive write never replaces a file that is there: EEXIST, the old bytes kept, nothing left beside', () => {
    const dir = folder();
    const file = join(dir, 'root-credentials.json');
    writeFileSync(file, 'theirs');
    assert.throws(() => writeFileDurablySync(file, 'ours', { exclusive: true }), (err: NodeJS.ErrnoException) => err.code === 'EEXIST');
    assert.equal(readFileSync(file, 'utf8'), 'theirs');
    assert.deepEqual(readdirSync(dir), ['root-credentials.json']);
    const fresh = join(dir, 'new.json');
    writeFileDurablySync(fresh, 'ours', { exclusive: true });
    assert.equal(readFileSync(fresh, 'utf8'), 'ours');
    assert.deepEqual(readdirSync(dir).sort(), ['new.json', 'root-credentials.json']);
  });

  it('a write into a folder that is not there fails and creates nothing', async () => {
    const dir = folder();
    assert.throws(() => writeFileDurablySync(join(dir, 'gone', 'f'), 'x'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    await assert.rejects(writeFileDurably(join(dir, 'gone', 'f'), 'x'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    assert.deepEqual(readdirSync(dir), []);
  });
});
