import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOTP, URI } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { consoleUrlOf } from '../helpers/console-url.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { inBothSchemes, launchBrowser, newContext, screenshot, seriousViolations } from './browser.js';

/**
 * The Identity and Security screens in a real browser against a real
 * engine: a user made in the UI logs in with what the UI gave them, the
 * policy editor points at the refused line, an access key's secret is
 * shown once, MFA set up from the QR screen's key gates the next login.
 * Every screen is checked by axe in light and dark.
 */
let server: RunningServer & { kill: () => Promise<void> };
let browser: Browser;
let base: string;

const READER_PASSWORD = 'Tq6!wLp9#zMx3Rb';

before(async () => {
  server = await startServer({ args: ['--auth-throttle', '1000'] });
  base = await consoleUrlOf(server);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function logIn(page: Page, accessKey: string, secretKey: string): Promise<void> {
  await page.goto(`${base}/#/dashboard`);
  await page.fill('#access-key', accessKey);
  await page.fill('#secret-key', secretKey);
  await page.click('button[type=submit]');
}

async function checkScreen(page: Page, name: string, docs = false): Promise<void> {
  await inBothSchemes(page, async (scheme) => {
    await screenshot(page, name, { docs: docs && scheme === 'light' });
    const found = await seriousViolations(page);
    assert.deepEqual(found, [], `${name} (${scheme}): ${JSON.stringify(found, null, 2)}`);
  });
}

let rootPage: Page;

test('root adds a user with the readonly policy; that user logs in and is refused the Identity screens', async () => {
  rootPage = await (await newContext(browser)).newPage();
  await logIn(rootPage, server.accessKey, server.secretKey);
  await rootPage.waitForSelector('nav');
  await rootPage.goto(`${base}/#/identity/users`);
  await rootPage.getByRole('button', { name: 'Add user' }).click();
  await rootPage.fill('#new-user-name', 'reader');
  await rootPage.fill('#new-user-password', 'short');
  await rootPage.getByText('Strength: Too short.').waitFor();
  await rootPage.fill('#new-user-password', READER_PASSWORD);
  await rootPage.getByText(/Strength: (Good|Strong)\./).waitFor();
  await rootPage.check('#new-user-policy-readonly');
  await checkScreen(rootPage, 'identity-add-user');
  await rootPage.locator('form[aria-label="Add a user"] button[type=submit]').click();
  await rootPage.locator('tr[data-user="reader"]').waitFor();
  assert.match(await rootPage.locator('tr[data-user="reader"]').innerText(), /readonly/);
  await checkScreen(rootPage, 'identity-users', true);

  // A weak password is refused in words, and nothing is added.
  await rootPage.getByRole('button', { name: 'Add user' }).click();
  await rootPage.fill('#new-user-name', 'weakling');
  await rootPage.fill('#new-user-password', 'password1234');
  await rootPage.locator('form[aria-label="Add a user"] button[type=submit]').click();
  await rootPage.locator('form[aria-label="Add a user"] [role=alert]').waitFor();
  assert.match(await rootPage.locator('form[aria-label="Add a user"] [role=alert]').innerText(), /refused/i);
  assert.equal(await rootPage.locator('tr[data-user="weakling"]').count(), 0);

  const readerPage = await (await newContext(browser)).newPage();
  await logIn(readerPage, 'reader', READER_PASSWORD);
  await readerPage.waitForSelector('nav');
  await readerPage.goto(`${base}/#/identity/users`);
  const refusal = readerPage.locator('[role=alert]').first();
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /not allowed/i);
  await checkScreen(readerPage, 'identity-refused');
  await readerPage.context().close();
});

test('groups: add one with a member', async () => {
  await rootPage.goto(`${base}/#/identity/groups`);
  await rootPage.getByRole('button', { name: 'Add group' }).click();
  await rootPage.fill('#new-group-name', 'readers');
  await rootPage.check('#new-group-member-reader');
  await rootPage.locator('form[aria-label="Add a group"] button[type=submit]').click();
  await rootPage.locator('tr[data-group="readers"]').waitFor();
  assert.match(await rootPage.locator('tr[data-group="readers"]').innerText(), /reader/);
  await checkScreen(rootPage, 'identity-groups');
});

test('the policy editor marks the line the engine refused', async () => {
  await rootPage.goto(`${base}/#/identity/policies`);
  await rootPage.getByRole('button', { name: 'New policy' }).click();
  await rootPage.fill('#policy-name', 'photos-read');
  const doc = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": ["s3:GetObject", "s3:Teleport"],\n      "Resource": "arn:aws:s3:::photos/*"\n    }\n  ]\n}';
  await rootPage.fill('#policy-document', doc);
  await rootPage.getByRole('button', { name: 'Create policy' }).click();
  await rootPage.locator('#policy-document-error').waitFor();
  assert.match(await rootPage.locator('#policy-document-error').innerText(), /^Line 6, column \d+:.*s3:Teleport/);
  assert.equal(await rootPage.locator('.gutter .line.error').getAttribute('data-line'), '6');
  await checkScreen(rootPage, 'identity-policy-error', true);

  // Fixed, it is created and listed.
  await rootPage.fill('#policy-document', doc.replace(', "s3:Teleport"', ''));
  await rootPage.getByRole('button', { name: 'Create policy' }).click();
  await rootPage.getByText('Policy photos-read created.').waitFor();
  assert.equal(await rootPage.locator('.gutter .line.error').count(), 0);
  // A built-in one is read-only.
  await rootPage.getByRole('button', { name: /^readonly/ }).click();
  await rootPage.getByText('Built-in, read-only.').waitFor();
  assert.equal(await rootPage.locator('#policy-document').getAttribute('readonly'), '');
  await checkScreen(rootPage, 'identity-policies');
});

test('an access key: the secret is shown once with a copy button, then only revoking is left', async () => {
  await rootPage.goto(`${base}/#/identity/access-keys`);
  await rootPage.getByRole('button', { name: 'Create access key' }).click();
  await rootPage.fill('#key-name', 'nightly backup');
  await rootPage.fill('#key-expiry', new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
  await checkScreen(rootPage, 'identity-key-form');
  await rootPage.locator('form[aria-label="Create an access key"] button[type=submit]').click();
  const secret = await rootPage.locator('[data-testid=new-secret-key]').innerText();
  const key = await rootPage.locator('[data-testid=new-access-key]').innerText();
  assert.ok(secret.length >= 30);
  assert.ok(await rootPage.getByRole('button', { name: 'Copy secret key' }).isVisible());
  await checkScreen(rootPage, 'identity-key-secret', true);
  await rootPage.getByRole('button', { name: 'I have saved it' }).click();
  assert.equal(await rootPage.getByText(secret).count(), 0, 'the secret is gone from the page');
  await rootPage.locator(`tr[data-key="${key}"]`).waitFor();
  assert.match(await rootPage.locator(`tr[data-key="${key}"]`).innerText(), /nightly backup/);
  await rootPage.getByRole('button', { name: `Revoke ${key}` }).click();
  await rootPage.getByRole('button', { name: 'Revoke for good' }).click();
  await rootPage.getByText(`${key} was revoked`).waitFor();
  // The notice can show before the list has reloaded: wait (bounded) for the row to go.
  await rootPage.locator(`tr[data-key="${key}"]`).waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await rootPage.locator(`tr[data-key="${key}"]`).count(), 0);
});

test('Security: the reader sets up MFA from the QR screen, then logs in with a generated code', async () => {
  const page = await (await newContext(browser)).newPage();
  await logIn(page, 'reader', READER_PASSWORD);
  await page.waitForSelector('nav');
  await page.goto(`${base}/#/security`);
  await page.getByRole('button', { name: 'Set up MFA' }).click();
  const qr = page.locator('[data-testid=mfa-qr]');
  await qr.waitFor();
  assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/svg\+xml/);
  const secret = (await page.locator('[data-testid=mfa-secret]').innerText()).replace(/\s/g, '');
  await checkScreen(page, 'security-mfa-enrol', true);
  const totp = new TOTP({ issuer: 'Granary', label: 'reader', secret, algorithm: 'SHA1', digits: 6, period: 30 });
  assert.ok(URI.stringify(totp).startsWith('otpauth://'));
  const now = Date.now();
  await page.fill('#mfa-verify-code', totp.generate({ timestamp: now }));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.locator('[data-testid=recovery-codes] li').first().waitFor();
  assert.equal(await page.locator('[data-testid=recovery-codes] li').count(), 10);
  await checkScreen(page, 'security-recovery-codes');
  await page.getByRole('button', { name: 'I have saved them' }).click();
  assert.equal(await page.locator('[data-testid=mfa-status]').innerText(), 'On');
  await page.context().close();

  const fresh = await (await newContext(browser)).newPage();
  await logIn(fresh, 'reader', READER_PASSWORD);
  await fresh.locator('#mfa-code').waitFor();
  // The next step's code: the one used to verify cannot be used again.
  await fresh.fill('#mfa-code', totp.generate({ timestamp: now + 30_000 }));
  await fresh.click('button[type=submit]');
  await fresh.waitForSelector('nav');
  await fresh.context().close();
});

test('Security: password change, failed logins and admin networks', async () => {
  // A wrong login first, so the activity table has a row.
  const other = await (await newContext(browser)).newPage();
  await logIn(other, 'reader', 'not-the-password');
  await other.getByText(/wrong/).waitFor();
  await other.context().close();

  await rootPage.goto(`${base}/#/security`);
  await rootPage.locator('[data-testid=admin-networks]').waitFor();
  assert.match(await rootPage.locator('[data-testid=admin-networks]').innerText(), /127\.0\.0\.0\/8/);
  await rootPage.getByRole('cell', { name: 'reader' }).first().waitFor();
  await checkScreen(rootPage, 'security', true);
  await rootPage.locator('#activity-title').scrollIntoViewIfNeeded();
  await checkScreen(rootPage, 'security-activity');
  // Root's secret here comes from the environment: the refusal says where to change it.
  await rootPage.fill('#current-password', server.secretKey);
  await rootPage.fill('#new-password', 'Nw3$vKr8!pQz6Lm');
  await rootPage.fill('#new-password-again', 'Nw3$vKr8!pQz6Lm');
  await rootPage.getByRole('button', { name: 'Change password' }).click();
  await rootPage.getByText(/GRANARY_ROOT_PASSWORD/).waitFor();

  // The reader changes theirs (MFA is on: the login needs a code, so use a fresh user).
  const page = await (await newContext(browser)).newPage();
  await page.goto(`${base}/#/identity/users`);
  await rootPage.goto(`${base}/#/identity/users`);
  await rootPage.getByRole('button', { name: 'Add user' }).click();
  await rootPage.fill('#new-user-name', 'writer');
  await rootPage.fill('#new-user-password', 'Jk5%rWq2@nBv8Xc');
  await rootPage.locator('form[aria-label="Add a user"] button[type=submit]').click();
  await rootPage.locator('tr[data-user="writer"]').waitFor();
  await logIn(page, 'writer', 'Jk5%rWq2@nBv8Xc');
  await page.waitForSelector('nav');
  await page.goto(`${base}/#/security`);
  await page.fill('#current-password', 'wrong-current-secret');
  await page.fill('#new-password', 'Hc7&tRm4!wZp9Qs');
  await page.fill('#new-password-again', 'Hc7&tRm4!wZp9Qs');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('The current password is wrong.').waitFor();
  await page.fill('#current-password', 'Jk5%rWq2@nBv8Xc');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText(/Password changed/).waitFor();
  await checkScreen(page, 'security-password-changed');
  // The session went on with its new cookie and CSRF token: a change still works.
  await page.goto(`${base}/#/identity/access-keys`);
  await page.getByRole('button', { name: 'Create access key' }).click();
  await page.locator('form[aria-label="Create an access key"] button[type=submit]').click();
  await page.locator('[data-testid=new-secret-key]').waitFor();
  await page.context().close();
});
