import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

/**
 * Looks at a drive from outside its monitor, on a disk that hangs: the first
 * look outlives its deadline, and until it returns no other call on that
 * drive is started (each would hold another thread of the pool the whole
 * engine shares). The test-only fault hook hangs the folder; it is read when
 * the drive layer loads, so the environment is set before the import.
 */
const root = mkdtempSync(join(tmpdir(), 'granary-looks-'));
const [hungDrive, goodDrive] = ['hung', 'good'].map((n) => join(root, n));
for (const d of [hungDrive, goodDrive]) mkdirSync(d);
const faults = join(root, 'faults.json');
process.env.GRANARY_TEST_DRIVE_FAULTS = faults;
const { existsOnDrive, driveSpace, onDrive } = await import('../../engine/drive/drive-looks.js');
const { DriveError } = await import('../../engine/drive/drive-error.js');

after(() => rmSync(root, { recursive: true, force: true }));

/** The hook looks at its file at most every 100 ms, and a held call every 100 ms: wait past both. */
async function hang(path: string | null): Promise<void> {
  writeFileSync(faults, JSON.stringify({ drives: path ? { [path]: { delayMs: 600_000 } } : {} }));
  await new Promise((r) => setTimeout(r, 300));
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work;
  return { value, ms: performance.now() - start };
}

it('a hung drive holds one call: the next ones on it are refused at once and never run, other drives answer, and it answers again once it returns', { timeout: 30_000 }, async () => {
  await hang(hungDrive);
  const first = await timed(existsOnDrive(hungDrive, hungDrive, 400));
  assert.equal(first.value, null);
  assert.ok(first.ms >= 390, `the first look gave up after ${first.ms} ms`);

  const second = await timed(existsOnDrive(hungDrive, hungDrive, 400));
  assert.equal(second.value, null);
  assert.ok(second.ms < 100, `the second look waited ${second.ms} ms: it was started beside the stuck one`);
  assert.equal(await driveSpace(hungDrive, 400), null);

  let ran = false;
  const refused = await timed(onDrive(hungDrive, 'write', 'writing a marker', 400, async () => { ran = true; }).then(() => null, (err: unknown) => err));
  assert.ok(refused.value instanceof DriveError && refused.value.kind === 'timeout', String(refused.value));
  assert.match((refused.value as Error).message, /not tried: an earlier call on this drive has not returned/);
  assert.ok(refused.ms < 100, `refused after ${refused.ms} ms`);
  assert.equal(ran, false);

  // Another drive is not held by this one.
  assert.equal(await existsOnDrive(goodDrive, goodDrive, 400), true);
  assert.ok((await driveSpace(goodDrive, 400))!.totalBytes > 0);

  // The disk comes back: the held look returns, and the drive answers again.
  await hang(null);
  assert.equal(await existsOnDrive(hungDrive, hungDrive, 400), true);
  assert.equal(await existsOnDrive(hungDrive, join(hungDrive, 'nothing-here'), 400), false);
});

it('a write held past its deadline is dropped, not done when the disk comes back', { timeout: 30_000 }, async () => {
  await hang(hungDrive);
  const marker = join(hungDrive, 'late-marker');
  await assert.rejects(onDrive(hungDrive, 'write', 'writing a marker', 300, () => writeFile(marker, 'x')), (err: unknown) => err instanceof DriveError && /took over 300 ms/.test(err.message));
  await hang(null);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(existsSync(marker), false, 'the late write was done after its deadline');
  await onDrive(hungDrive, 'write', 'writing a marker', 1000, () => writeFile(marker, 'x'));
  assert.equal(existsSync(marker), true);
});
