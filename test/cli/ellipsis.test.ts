import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress } from '../../engine/cli/args.js';
import { expandDrives, expandEllipsis } from '../../engine/cli/ellipsis.js';
import { parseServerArgs } from '../../engine/cli/server-command.js';

describe('drive arguments', () => {
  it('expands MinIO ellipses', () => {
    assert.deepEqual(expandEllipsis('./data/d{1...4}'), ['./data/d1', './data/d2', './data/d3', './data/d4']);
    assert.deepEqual(expandEllipsis('/mnt/disk{08...11}'), ['/mnt/disk08', '/mnt/disk09', '/mnt/disk10', '/mnt/disk11']);
    assert.deepEqual(expandEllipsis('/h{1...2}/d{1...2}'), ['/h1/d1', '/h1/d2', '/h2/d1', '/h2/d2']);
    assert.deepEqual(expandDrives(['/a', '/b{1...2}']), ['/a', '/b1', '/b2']);
    assert.throws(() => expandEllipsis('/d{4...1}'), /backwards/);
  });

  it('parses server flags strictly', () => {
    const c = parseServerArgs(['--address', '127.0.0.1:9100', '--parity=1', './data/d{1...4}']);
    assert.deepEqual(c.address, { host: '127.0.0.1', port: 9100 });
    assert.deepEqual(c.consoleAddress, { host: '127.0.0.1', port: 9001 });
    assert.equal(c.parity, 1);
    assert.equal(c.drives.length, 4);
    assert.throws(() => parseServerArgs(['--bogus', 'x', '/d1']), /unknown flag --bogus/);
    // No drives is a start from the saved drive list or first-run setup (engine/server/launch-engine.ts).
    assert.deepEqual(parseServerArgs([]).drives, []);
    assert.throws(() => parseServerArgs(['--parity', 'two', '/d']), /not a whole number/);
    assert.deepEqual(parseAddress(':9000'), { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(parseAddress('[::1]:9000'), { host: '::1', port: 9000 });
    assert.throws(() => parseAddress('localhost'), /not HOST:PORT/);
  });
});
