import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(file: string): [number, number] {
  const b = readFileSync(file);
  assert.ok(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is a PNG`);
  assert.equal(b.subarray(12, 16).toString('ascii'), 'IHDR');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('packaging', () => {
  it('the electron-builder configuration passes electron-builder\'s own schema and targets the four formats', async () => {
    const yaml = require('js-yaml') as { load(s: string): Record<string, unknown> };
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, log: unknown): Promise<void> };
    const config = yaml.load(readFileSync(join(root, 'build/electron-builder.yml'), 'utf8')) as {
      linux: { target: string[] }; win: { target: string[] }; mac: { target: string[] }; npmRebuild: boolean; extraMetadata: { main: string }; icon: string;
    };
    await validateConfiguration(config, { isDebugEnabled: false, add() {} });
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.deepEqual(config.win.target, ['nsis']);
    assert.deepEqual(config.mac.target, ['dmg']);
    assert.equal(config.npmRebuild, true);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.equal(config.extraMetadata.main, pkg.main);
    assert.match(pkg.scripts.dist, /electron-builder --config build\/electron-builder\.yml/);
    assert.deepEqual(pngSize(join(root, config.icon)), [512, 512]);
  });

  it('the engine entry the shell forks is built by npm run build', () => {
    assert.ok(existsSync(join(root, 'dist/engine/host/engine-process.js')), 'run npm run build first');
  });

  it('has every tray icon at 16 and 32 px, each with its @2x twin', () => {
    for (const colour of ['green', 'amber', 'red']) {
      assert.deepEqual(pngSize(join(root, `resources/tray/tray-${colour}.png`)), [16, 16]);
      assert.deepEqual(pngSize(join(root, `resources/tray/tray-${colour}@2x.png`)), [32, 32]);
      assert.deepEqual(pngSize(join(root, `resources/tray/tray-${colour}-32.png`)), [32, 32]);
      assert.deepEqual(pngSize(join(root, `resources/tray/tray-${colour}-32@2x.png`)), [64, 64]);
    }
  });
});
