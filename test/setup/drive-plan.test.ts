import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { prepareDeployment } from '../../engine/erasure/deployment.js';
import { planDrives } from '../../engine/setup/drive-plan.js';
import { tempDrives } from '../helpers/drives.js';

describe('planDrives (the setup preview)', () => {
  it('groups drives into sets as formatting does: 32 drives are 2 sets of 16', () => {
    const t = tempDrives(32, 'granary-plan');
    try {
      const p = planDrives(t.drives, 4);
      assert.equal(p.ok, true);
      assert.equal(p.dataDrives, 24);
      assert.equal(p.parityDrives, 8);
      assert.equal(p.canLose, 4);
      const free = p.perDrive.map((d) => d.freeBytes);
      assert.equal(p.usableBytes, 12 * Math.min(...free.slice(0, 16)) + 12 * Math.min(...free.slice(16)));
      assert.equal(t.drives.some((d) => existsSync(d)), false);
    } finally {
      t.cleanup();
    }
  });

  it('refuses drives that already belong to a deployment, and counts that cannot be split', () => {
    const t = tempDrives(6, 'granary-plan');
    try {
      prepareDeployment(t.drives.slice(0, 2));
      const p = planDrives(t.drives.slice(0, 4), 1);
      assert.equal(p.ok, false);
      assert.match(p.perDrive[0].problem!, /already holds a drive of Granary deployment/);
      assert.equal(p.perDrive[2].ok, true);
      const odd = planDrives(Array.from({ length: 17 }, (_, i) => join(t.root, `x${i}`)), 2);
      assert.equal(odd.ok, false);
      assert.match(odd.error!, /17 drives cannot be split/);
      mkdirSync(join(t.root, 'empty'));
      assert.equal(planDrives('not a list', 1).ok, false);
      assert.match(planDrives([join(t.root, 'empty'), join(t.root, 'new')], 1.5).error!, /parity must be a whole number from 1 to 1/);
    } finally {
      t.cleanup();
    }
  });
});
