import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveStaticFile } from '../../engine/console/static-files.js';

const base = mkdtempSync(join(tmpdir(), 'granary-static-'));
const root = join(base, 'renderer');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html>');
writeFileSync(join(root, 'assets', 'app.js'), 'x');
writeFileSync(join(root, '.env'), 'SECRET=1');
writeFileSync(join(base, 'outside.txt'), 'not for you');
symlinkSync(join(base, 'outside.txt'), join(root, 'assets', 'link.txt'));
after(() => rmSync(base, { recursive: true, force: true }));

test('files inside the root are found', async () => {
  assert.equal(await resolveStaticFile(root, '/index.html'), join(root, 'index.html'));
  assert.equal(await resolveStaticFile(root, '/assets/app.js'), join(root, 'assets', 'app.js'));
  assert.equal(await resolveStaticFile(root, '/assets//app.js'), join(root, 'assets', 'app.js'));
  assert.equal(await resolveStaticFile(root, '/assets/%61pp.js'), join(root, 'assets', 'app.js'));
});

test('nothing outside it, however the path is spelled', async () => {
  for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/..%5coutside.txt', '/assets/link.txt', '/.env', '/%2eenv', '/assets', '/', '/index.html%00.js', '/%E0%A4%A']) {
    assert.equal(await resolveStaticFile(root, p), undefined, p);
  }
  assert.equal(await resolveStaticFile(join(base, 'missing'), '/index.html'), undefined);
});
