import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

/**
 * prepareDeployment when a drive does not answer (the test-only fault hook
 * hangs it; the hook is read when the drive layer loads, so the environment
 * is set before any engine module is imported, helpers included).
 */
const root = mkdtempSync(join(tmpdir(), 'granary-silent-'));
const t = { drives: [1, 2, 3, 4].map((i) => join(root, `d${i}`)), cleanup: () => rmSync(root, { recursive: true, force: true }) };
const faults = join(root, 'faults.json');
process.env.GRANARY_TEST_DRIVE_FAULTS = faults;
const { prepareDeployment } = await import('../../engine/erasure/deployment.js');
/** The hook looks at its file at most every 100 ms: wait past that for the change to count. */
async function hang(path: string | null): Promise<void> {
  writeFileSync(faults, JSON.stringify({ drives: path ? { [path]: { delayMs: 600_000 } } : {} }));
  await new Promise((r) => setTimeout(r, 250));
}
const idOf = (path: string) => JSON.parse(readFileSync(join(path, '.granary', 'format.json'), 'utf8')).body.driveId as string;

after(() => t.cleanup());

it('a silent drive is offline, named in its slot when it is the only unknown one; a blank drive waits until every drive answers', { timeout: 60_000 }, async () => {
  await hang(null);
  const first = await prepareDeployment(t.drives, { answerMs: 1000 });
  const ids = t.drives.map(idOf);

  await hang(t.drives[2]);
  const silent = await prepareDeployment(t.drives, { answerMs: 1000 });
  assert.equal(silent.deploymentId, first.deploymentId);
  assert.match(silent.unread.get(t.drives[2])!, /took over 1000 ms/);
  assert.deepEqual(silent.sets[0].paths, t.drives, 'the one unknown slot is the silent drive\'s');
  assert.ok(silent.warnings.some((w) => w.startsWith(`drive ${t.drives[2]} is offline`)));

  // Drive 1 emptied while drive 2 is silent: the blank could be either one's stand-in, so it is left alone.
  rmSync(t.drives[1], { recursive: true });
  const both = await prepareDeployment(t.drives, { answerMs: 1000 });
  assert.ok(!existsSync(join(t.drives[1], '.granary', 'format.json')), 'a blank drive was formatted while another drive was silent');
  assert.ok(both.warnings.some((w) => /left unformatted while another drive does not answer/.test(w)));
  assert.deepEqual(both.sets[0].paths, [t.drives[0], null, null, t.drives[3]]);
  assert.deepEqual(both.replaced, []);
  assert.deepEqual(both.deferredBlank, [t.drives[1]], 'the blank is left for the heal watcher, which formats it once every drive answers');

  // Once every drive answers, the blank takes the lost drive's place, and only its.
  await hang(null);
  const whole = await prepareDeployment(t.drives, { answerMs: 1000 });
  assert.deepEqual(whole.replaced, [t.drives[1]]);
  assert.deepEqual(t.drives.map(idOf), ids);
  assert.deepEqual(whole.sets[0].paths, t.drives);
});
