import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { prepareDeployment } from '../../engine/erasure/deployment.js';
import { planDrives } from '../../engine/setup/drive-plan.js';
import { tempDrives } from '../helpers/drives.js';

describe('planDrives (the setup preview)', () => {
  it('groups drives into sets as formatting does: 32 drives are 2 sets of 16', async () => {
    const t = tempDrives(32, 'granary-plan');
    try {
      const p = await planDrives(t.drives, 4);
      assert.equal(p.ok, true);
      assert.equal(p.dataDrives, 24);
      assert.equal(p.parityDrives, 8);
      assert.equal(p.canLose, 4);
      const free = p.perDrive.map((d) => d.freeBytes);
      // All 32 folders are on one filesystem: each drive's share is a 32nd of its free space.
      assert.equal(p.disks, 1);
      const share = free.map((f) => f / 32);
      assert.equal(p.usableBytes, Math.floor(12 * Math.min(...share.slice(0, 16))) + Math.floor(12 * Math.min(...share.slice(16))));
      assert.equal(t.drives.some((d) => existsSync(d)), false);
    } finally {
      t.cleanup();
    }
  });

  it('refuses drives that already belong to a deployment, and counts that cannot be split', async () => {
    const t = tempDrives(6, 'granary-plan');
    try {
      await prepareDeployment(t.drives.slice(0, 2), { answerMs: 5000 });
      const p = await planDrives(t.drives.slice(0, 4), 1);
      assert.equal(p.ok, false);
      assert.match(p.perDrive[0].problem!, /already holds a drive of Granary deployment/);
      assert.equal(p.perDrive[2].ok, true);
      const odd = await planDrives(Array.from({ length: 17 }, (_, i) => join(t.root, `x${i}`)), 2);
      assert.equal(odd.ok, false);
      assert.match(odd.error!, /17 drives cannot be split/);
      mkdirSync(join(t.root, 'empty'));
      assert.equal((await planDrives('not a list', 1)).ok, false);
      assert.match((await planDrives([join(t.root, 'empty'), join(t.root, 'new')], 1.5)).error!, /parity must be a whole number from 1 to 1/);
    } finally {
      t.cleanup();
    }
  });
});

describe('planDrives on two filesystems', () => {
  it('counts each filesystem once: folders on one disk share its free space', { skip: statSync('/dev/shm', { throwIfNoEntry: false })?.dev === statSync(tmpdir()).dev || !existsSync('/dev/shm') }, async () => {
    const a = mkdtempSync(join(tmpdir(), 'granary-plan-a'));
    const b = mkdtempSync(join('/dev/shm', 'granary-plan-b'));
    try {
      const drives = [join(a, '1'), join(a, '2'), join(b, '1'), join(b, '2')];
      const p = await planDrives(drives, 2);
      assert.equal(p.ok, true, JSON.stringify(p));
      assert.equal(p.disks, 2);
      const [a1, a2, b1, b2] = p.perDrive.map((d) => d.freeBytes);
      assert.equal(p.rawBytes, Math.round(a1 / 2 + a2 / 2 + b1 / 2 + b2 / 2));
      assert.equal(p.usableBytes, Math.floor(2 * Math.min(a1 / 2, a2 / 2, b1 / 2, b2 / 2)));
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });
});
