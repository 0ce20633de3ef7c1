import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { tempDrives } from '../helpers/drives.js';
import { forkEngine, type EngineChild } from '../helpers/engine-child.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { inBothSchemes, launchBrowser, newContext, screenshot, seriousViolations } from './browser.js';

/**
 * The first-run wizard end to end: an engine with no drives serves it at the
 * link it prints; the wizard lists this machine's disks, takes typed folders,
 * previews capacity live, refuses a weak root password in words, and ends on
 * a page whose S3 endpoint and root account work.
 */
const ROOT = 'wizard-admin';
const PASSWORD = 'Qe4!nVt8#kWz2Lp';

const t = tempDrives(4, 'granary-wizard');
let engine: EngineChild;
let browser: Browser;
let setupUrl = '';
let consoleUrl = '';

before(async () => {
  engine = forkEngine(['--address', '127.0.0.1:0', '--console-address', '127.0.0.1:0', '--config-dir', join(t.root, 'config')], {});
  const ready = await engine.next('ready');
  assert.ok(ready.setupUrl, 'the engine starts in setup mode');
  setupUrl = ready.setupUrl;
  consoleUrl = ready.consoleUrl;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.kill();
  t.cleanup();
});

/** Polls a condition on the page (the page's CSP forbids the string evaluation waitForFunction would need). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function checkScreen(page: Page, name: string, docs = false): Promise<void> {
  await inBothSchemes(page, async (scheme) => {
    await screenshot(page, name, { docs: docs && scheme === 'light' });
    const found = await seriousViolations(page);
    assert.deepEqual(found, [], `${name} (${scheme}): ${JSON.stringify(found, null, 2)}`);
  });
}

test('without the token the wizard asks for the setup link', async () => {
  const page = await (await newContext(browser)).newPage();
  await page.goto(`${consoleUrl}/setup`);
  await page.getByRole('heading', { name: 'Open the setup link' }).waitFor();
  await checkScreen(page, 'setup-no-token');
  await page.context().close();
});

test('drives, parity with a live preview, root account, and a finish page whose endpoint works', async () => {
  const page = await (await newContext(browser)).newPage();
  await page.goto(setupUrl);
  await page.getByRole('heading', { name: 'Where should Granary keep its data?' }).waitFor();
  // This machine's mounted filesystems are listed with size, free space and filesystem.
  await page.locator('table.list tbody tr').first().waitFor();
  assert.match(await page.locator('table.list').innerText(), /Mounted at[\s\S]*Filesystem[\s\S]*SMART/);

  // A relative path is refused next to it, and Next stays off.
  await page.fill('#setup-folder', 'relative/folder');
  await page.getByRole('button', { name: 'Add folder' }).click();
  await page.getByText('give the full path of the folder').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Next' }).isDisabled());
  await page.getByRole('button', { name: 'Remove relative/folder' }).click();

  await page.fill('#setup-folder', t.drives.join(', '));
  await page.getByRole('button', { name: 'Add folder' }).click();
  await page.locator('[data-testid=chosen-drives] li').nth(3).waitFor();
  const next = page.getByRole('button', { name: 'Next' });
  await until(async () => !(await next.isDisabled()), 'Next is enabled once the preview accepts the drives');
  await checkScreen(page, 'setup-drives', true);
  await next.click();

  await page.getByRole('heading', { name: 'How much protection?' }).waitFor();
  const preview = page.locator('[data-testid=setup-preview]');
  await preview.waitFor();
  // Four drives: two parity by default, so two can be lost.
  assert.equal(await page.locator('#setup-parity').inputValue(), '2');
  await until(async () => /Drives you can lose\s*2/.test(await preview.innerText()), 'two drives can be lost');
  await page.selectOption('#setup-parity', '1');
  await until(async () => /Drives you can lose\s*1/.test(await preview.innerText()), 'one drive can be lost');
  assert.match(await preview.innerText(), /3 \+ 1/);
  // The test's folders are on one filesystem: the wizard says so before anything is formatted.
  assert.match(await page.getByTestId('setup-shared-disk').innerText(), /4 drives on 1 disk: a disk failure loses them all/);
  await checkScreen(page, 'setup-parity', true);
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Create the root account' }).waitFor();
  await page.fill('#setup-root-user', ROOT);
  await page.fill('#setup-root-password', 'password1234');
  await page.fill('#setup-root-again', 'password1234');
  await page.getByRole('button', { name: 'Set up Granary' }).click();
  const refusal = page.locator('[role=alert]').first();
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /root password is refused/i);
  await page.fill('#setup-root-password', PASSWORD);
  await page.fill('#setup-root-again', PASSWORD);
  await page.getByText(/Strength: (Good|Strong)\./).waitFor();
  await checkScreen(page, 'setup-root');
  await page.getByRole('button', { name: 'Set up Granary' }).click();

  await page.getByRole('heading', { name: 'Granary is ready' }).waitFor({ timeout: 60_000 });
  const endpoint = await page.locator('[data-testid=s3-endpoint]').innerText();
  assert.match(await page.locator('[data-testid=aws-config]').innerText(), new RegExp(endpoint.replace(/[.:/]/g, '\\$&')));
  assert.match(await page.locator('[data-testid=rclone-config]').innerText(), /type = s3/);
  await checkScreen(page, 'setup-done', true);
  // The endpoint on the page answers the root account made in the wizard.
  assert.equal((await signedFetch({ endpoint, accessKey: ROOT, secretKey: PASSWORD }, 'PUT', '/wizard-bucket')).status, 200);

  await page.getByRole('link', { name: 'Log in to the console' }).click();
  await page.fill('#access-key', ROOT);
  await page.fill('#secret-key', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav');
  await page.context().close();
});
