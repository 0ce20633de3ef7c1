import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { consoleUrlOf } from '../helpers/console-url.js';
import { seededBytes } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { inBothSchemes, launchBrowser, newContext, screenshot, seriousViolations } from './browser.js';

/**
 * A drive emptied while the console is open: the dashboard shows its
 * rebuild with progress while it runs, and drops it when it is done. The
 * rebuilt drive's writes are slowed by the test-only fault hook so the
 * rebuild lasts long enough to be looked at.
 */
let server: RunningServer;
let browser: Browser;
let page: Page;
let dir: string;
let faults: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'granary-ui-heal-'));
  faults = join(dir, 'faults.json');
  server = await startServer({ root: join(dir, 'srv'), env: { GRANARY_TEST_DRIVE_FAULTS: faults } });
  assert.equal((await signedFetch(server, 'PUT', '/photos')).status, 200);
  for (let i = 0; i < 48; i++) {
    const res = await signedFetch(server, 'PUT', `/photos/2026/img-${i}.jpg`, seededBytes(300_000 + i * 1000, i + 1));
    assert.equal(res.status, 200, await res.text());
  }
  browser = await launchBrowser();
  page = await (await newContext(browser)).newPage();
  page.setDefaultTimeout(60_000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the dashboard shows a rebuild with its progress, and drops it when the drive is back', { timeout: 180_000 }, async () => {
  await page.goto(await consoleUrlOf(server));
  await page.fill('#access-key', server.accessKey);
  await page.fill('#secret-key', server.secretKey);
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Healing' }).count(), 0);

  const drive = server.drives[1];
  writeFileSync(faults, JSON.stringify({ drives: { [drive]: { delayMs: 150, ops: 'write' } } }));
  for (const entry of readdirSync(drive)) rmSync(join(drive, entry), { recursive: true, force: true });

  const card = page.locator('section[aria-labelledby=healing-title]');
  await card.waitFor();
  const item = card.locator(`li[data-heal="${drive}"]`);
  await item.waitFor();
  assert.match(await item.innerText(), new RegExp(`Rebuilding ${drive.replace(/[/.]/g, '\\$&')}`));
  // Progress in numbers: objects of the total, bytes, and a bar the screen reader can read.
  await item.filter({ hasText: /\d+ of \d+ objects · [\d.]+ \w+ of [\d.]+ \w+/ }).waitFor();
  const bar = item.getByRole('progressbar');
  assert.match((await bar.getAttribute('aria-label')) ?? '', /Rebuilding/);
  assert.match(await page.locator('section[aria-labelledby=layout-title]').innerText(), /Healing[\s\S]*being rebuilt/);
  const now = Number(await bar.getAttribute('aria-valuenow'));
  assert.ok(now >= 0 && now < 100, `progress ${now}`);
  await inBothSchemes(page, async (scheme) => {
    await screenshot(page, 'dashboard-healing');
    const found = await seriousViolations(page);
    assert.deepEqual(found, [], `dashboard-healing (${scheme}):\n${JSON.stringify(found, null, 2)}`);
  });

  writeFileSync(faults, JSON.stringify({ drives: {} }));
  await card.waitFor({ state: 'detached', timeout: 120_000 });
  await page.locator(`section[aria-labelledby=drives-title] tbody tr:has(span[title="${drive}"])`).filter({ hasText: 'Online' }).waitFor();
  assert.match(await page.locator('section[aria-labelledby=layout-title]').innerText(), /Healthy/);
});
