import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

/**
 * The setup preview looks at folders a person typed: one on a disk or
 * network mount that hangs must come back as that folder's problem, within
 * the preview's deadline, not freeze the wizard. The test-only fault hook
 * hangs the folder; it is read when the drive layer loads, so the
 * environment is set before the preview is imported.
 */
const root = mkdtempSync(join(tmpdir(), 'granary-plan-hung-'));
const faults = join(root, 'faults.json');
const drives = ['a', 'b', 'hung', 'c'].map((n) => join(root, n));
for (const d of drives) mkdirSync(d);
writeFileSync(faults, JSON.stringify({ drives: { [drives[2]]: { delayMs: 600_000 } } }));
process.env.GRANARY_TEST_DRIVE_FAULTS = faults;
const { planDrives } = await import('../../engine/setup/drive-plan.js');

after(() => rmSync(root, { recursive: true, force: true }));

it('a folder that hangs is refused as one drive\'s problem, within the preview\'s deadline; the others are judged as usual', { timeout: 60_000 }, async () => {
  const started = Date.now();
  const plan = await planDrives(drives, 2);
  const took = Date.now() - started;
  assert.ok(took < 15_000, `the preview took ${took} ms`);
  assert.equal(plan.ok, false);
  assert.match(plan.error!, /1 of the 4 drives cannot be used/);
  assert.match(plan.perDrive[2].problem!, /did not answer within 5 s/);
  assert.deepEqual(plan.perDrive.map((d) => d.ok), [true, true, false, true]);
});
