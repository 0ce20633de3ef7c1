import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultParity, prepareDeployment as prepareWithin, setSizeFor } from '../../engine/erasure/deployment.js';
import { chunksOf, openLayer, readAll, seededBytes, tempDrives } from '../helpers/drives.js';

const prepare = (drives: string[], opts: { parity?: number } = {}) => prepareWithin(drives, { ...opts, answerMs: 5000 });

describe('deployment: drives are self-describing', () => {
  it('default parity and set sizes', () => {
    assert.deepEqual([2, 3, 4, 5, 6, 7, 8, 16].map(defaultParity), [1, 1, 2, 2, 3, 3, 4, 4]);
    assert.equal(setSizeFor(16), 16);
    assert.equal(setSizeFor(32), 16);
    assert.equal(setSizeFor(20), 10);
    assert.throws(() => setSizeFor(1), /at least 2/);
    assert.throws(() => setSizeFor(17), /cannot be split/);
  });

  it('parity out of range is refused', async () => {
    const t = tempDrives(4);
    try {
      await assert.rejects(prepare(t.drives, { parity: 3 }), /parity must be between 1 and 2/);
      await assert.rejects(prepare(t.drives, { parity: 0 }), /parity must be between 1 and 2/);
    } finally {
      t.cleanup();
    }
  });

  it('drives passed in another order (and moved) are recognised by id', async () => {
    const t = tempDrives(4);
    try {
      const data = seededBytes(2_500_000, 3);
      let layer = await openLayer(t.drives);
      await layer.makeBucket('bkt');
      await layer.putObject('bkt', 'big', chunksOf(data));
      await layer.putObject('bkt', 'small', chunksOf(Buffer.from('small')));
      await layer.close();
      // Move one drive to a new path too, then pass them all shuffled.
      renameSync(t.drives[1], `${t.drives[1]}-moved`);
      const shuffled = [t.drives[3], `${t.drives[1]}-moved`, t.drives[0], t.drives[2]];
      layer = await openLayer(shuffled);
      assert.ok((await readAll((await layer.getObject('bkt', 'big')).body)).equals(data));
      assert.equal((await readAll((await layer.getObject('bkt', 'small')).body)).toString(), 'small');
      const slots = layer.sets[0].drives.map((d) => d!.root);
      assert.deepEqual(slots, [t.drives[0], `${t.drives[1]}-moved`, t.drives[2], t.drives[3]], 'slot order comes from format.json');
      await layer.close();
    } finally {
      t.cleanup();
    }
  });

  it('a foreign drive and a tampered format file are refused with a clear message', async () => {
    const a = tempDrives(4);
    const b = tempDrives(4);
    try {
      await prepare(a.drives);
      await prepare(b.drives);
      await assert.rejects(prepare([a.drives[0], a.drives[1], a.drives[2], b.drives[3]]), /belongs to another Granary deployment/);

      const file = join(a.drives[2], '.granary', 'format.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.body.parity = 1;
      writeFileSync(file, JSON.stringify(json));
      await assert.rejects(prepare(a.drives), /fails its SHA-256 check/);
      writeFileSync(file, '{not json');
      await assert.rejects(prepare(a.drives), /not valid JSON/);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('a blank drive in a formatted set becomes a replacement, marked for healing', async () => {
    const t = tempDrives(4);
    try {
      const first = await prepare(t.drives);
      const lostId = JSON.parse(readFileSync(join(t.drives[1], '.granary', 'format.json'), 'utf8')).body.driveId;
      renameSync(t.drives[1], `${t.drives[1]}-dead`);
      const again = await prepare(t.drives);
      assert.equal(again.deploymentId, first.deploymentId);
      assert.deepEqual(again.replaced, [t.drives[1]]);
      assert.ok(existsSync(join(t.drives[1], '.granary', 'healing.json')));
      assert.equal(JSON.parse(readFileSync(join(t.drives[1], '.granary', 'format.json'), 'utf8')).body.driveId, lostId);
      assert.deepEqual(again.sets[0].paths, t.drives);
    } finally {
      t.cleanup();
    }
  });

  it('the wrong number of drives is refused', async () => {
    const t = tempDrives(5);
    try {
      await prepare(t.drives.slice(0, 4));
      await assert.rejects(prepare(t.drives), /this deployment has 4 drives; 5 were given/);
    } finally {
      t.cleanup();
    }
  });
});
