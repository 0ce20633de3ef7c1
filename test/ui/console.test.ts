import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TOTP, URI } from 'otpauth';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { consoleUrlOf } from '../helpers/console-url.js';
import { mulberry32 } from '../helpers/prng.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { inBothSchemes, launchBrowser, newContext, screenshot, seriousViolations } from './browser.js';

/**
 * The console in a real browser against a real engine process: log in,
 * create a bucket, upload 20 MiB through the multipart path watching the
 * progress bar, download and share it, delete it; then a readonly user whose
 * upload the server refuses, a wrong password, and a session that vanishes.
 * Every screen is screenshotted and checked by axe in light and dark.
 */
let server: RunningServer & { kill: () => Promise<void> };
let consoleUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let scratch: string;
const BUCKET = 'ui-test';
const BIG = 'big-file.bin';
const BIG_SIZE = 20 * 1024 * 1024;
const READER = 'reader';
const READER_SECRET = 'Rd7#qLm2!vXp9Tz';
const TIMEOUT = { timeout: 60_000 };

/** Screenshot and accessibility check of the page as it is now, in both colour schemes. */
async function checkScreen(name: string, opts: { docs?: boolean } = {}): Promise<void> {
  await inBothSchemes(page, async (scheme) => {
    await screenshot(page, name, opts);
    const found = await seriousViolations(page);
    assert.deepEqual(found, [], `${name} (${scheme}): serious or critical accessibility violations:\n${JSON.stringify(found, null, 2)}`);
  });
}

async function logIn(accessKey: string, secretKey: string): Promise<void> {
  await page.fill('#access-key', accessKey);
  await page.fill('#secret-key', secretKey);
  await page.click('button[type=submit]');
}

/** The code an authenticator app shows for the enrolment URI at `ms`. */
function codeAt(uri: string, ms: number): string {
  const otp = URI.parse(uri);
  assert.ok(otp instanceof TOTP);
  return otp.generate({ timestamp: ms });
}

/** Enrols MFA for an account through the console API, as the Security screen would. */
async function enrolMfa(accessKey: string, secretKey: string): Promise<string> {
  const login = await fetch(`${consoleUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessKey, secretKey }) });
  assert.equal(login.status, 200, await login.clone().text());
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('granary-session='))!.split(';')[0];
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
  const enrol = await fetch(`${consoleUrl}/api/v1/mfa/enrol`, { method: 'POST', headers, body: '{}' });
  assert.equal(enrol.status, 200, await enrol.clone().text());
  const { uri } = (await enrol.json()) as { uri: string };
  const verify = await fetch(`${consoleUrl}/api/v1/mfa/verify`, { method: 'POST', headers, body: JSON.stringify({ code: codeAt(uri, Date.now()) }) });
  assert.equal(verify.status, 200, await verify.clone().text());
  return uri;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

before(async () => {
  server = await startServer();
  consoleUrl = await consoleUrlOf(server);
  scratch = mkdtempSync(join(tmpdir(), 'granary-ui-'));
  const rand = mulberry32(7);
  const big = Buffer.alloc(BIG_SIZE);
  for (let i = 0; i < BIG_SIZE; i += 4) big.writeUInt32LE(Math.floor(rand() * 0x1_0000_0000), i);
  writeFileSync(join(scratch, BIG), big);
  writeFileSync(join(scratch, 'cancel-me.bin'), big);
  writeFileSync(join(scratch, 'note.txt'), 'a small note\n');
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the console in a browser', () => {
  test('the login page, and a wrong secret key answered in words', TIMEOUT, async () => {
    await page.goto(consoleUrl);
    await page.waitForSelector('#access-key');
    await checkScreen('login', { docs: true });
    await logIn(server.accessKey, 'not-the-secret');
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /access key or secret key is wrong/i);
    await checkScreen('login-wrong-secret');
  });

  test('root logs in and sees the dashboard', TIMEOUT, async () => {
    // Some S3 traffic for the dashboard's traffic card: three requests, one of them refused.
    assert.equal((await signedFetch(server, 'GET', '/')).status, 200);
    assert.equal((await signedFetch(server, 'GET', '/')).status, 200);
    assert.equal((await signedFetch(server, 'GET', '/no-such-bucket/missing.txt')).status, 404);
    await page.fill('#secret-key', server.secretKey);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('heading', { name: 'Capacity' }).waitFor();
    const drives = page.locator('section[aria-labelledby=drives-title] tbody tr');
    await drives.first().waitFor();
    assert.equal(await drives.count(), 4);
    assert.match(await page.locator('section[aria-labelledby=layout-title]').innerText(), /4 of 4 drives online[\s\S]*2 data \+ 2 parity/);
    assert.match(await page.locator('main header').innerText(), /Updated .* · (live|refreshing every 5 s)/);
    assert.equal(await page.getByTestId('traffic-requests').innerText(), '3');
    assert.equal(await page.getByTestId('traffic-errors').innerText(), '1');
    assert.match(await page.getByTestId('traffic-out').innerText(), /^\d+(\.\d)? (bytes|KiB)$/);
    assert.match(await page.getByRole('img', { name: /Requests per minute: peak 3 per minute/ }).getAttribute('aria-label') ?? '', /peak 3/);
    // The test's four drive folders are on one filesystem: counted once, and the risk said in words.
    assert.match(await page.getByTestId('shared-disk').innerText(), /4 drives on 1 disk: a disk failure loses them all/);
    await checkScreen('dashboard', { docs: true });
  });

  test('creates a bucket through the dialog', TIMEOUT, async () => {
    await page.getByRole('link', { name: 'Buckets' }).click();
    await page.getByRole('heading', { name: 'Buckets' }).waitFor();
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.locator('#bucket-name').fill('Not_Valid');
    await page.locator('dialog button[type=submit]').click();
    assert.match(await page.locator('dialog [role=alert]').innerText(), /lower-case letters/i);
    await page.locator('#bucket-name').fill(BUCKET);
    await checkScreen('create-bucket');
    await page.locator('dialog button[type=submit]').click();
    await page.getByRole('link', { name: BUCKET }).waitFor();
    await checkScreen('buckets');
  });

  test('uploads 20 MiB in parts with a moving progress bar, and lists it', TIMEOUT, async () => {
    await page.getByRole('link', { name: BUCKET }).click();
    await page.getByText('This bucket is empty.').waitFor();
    await checkScreen('bucket-empty');
    // Every value the progress bar shows, recorded in the page as the DOM changes.
    await page.evaluate(`(() => {
      window.__progress = [];
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll('[role=progressbar]')) {
          const v = Number(bar.getAttribute('aria-valuenow'));
          if (window.__progress[window.__progress.length - 1] !== v) window.__progress.push(v);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    })()`);
    await page.setInputFiles('input[type=file]', join(scratch, BIG));
    await page.locator('[data-upload-status=done]').waitFor({ timeout: 120_000 });
    const seen = (await page.evaluate('window.__progress')) as number[];
    assert.ok(seen.some((v) => v > 0 && v < 100), `the bar showed no value between 0 and 100: ${seen.join(', ')}`);
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, `the bar went backwards: ${seen.join(', ')}`);
    assert.equal(seen[seen.length - 1], 100);
    const row = page.locator(`tr[data-key="${BIG}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /20\.0 MiB/);
    await checkScreen('bucket-uploaded', { docs: true });
  });

  test('uploads a file dropped on the list', TIMEOUT, async () => {
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped bytes\\n'], 'dropped.txt', { type: 'text/plain' }));
      const target = document.querySelector('section[aria-label=Objects]');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await page.locator('tr[data-key="dropped.txt"]').waitFor();
    const res = await signedFetch(server, 'GET', `/${BUCKET}/dropped.txt`);
    assert.equal(await res.text(), 'dropped bytes\n');
  });

  test('downloads the file with the same bytes', TIMEOUT, async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download ${BIG}` }).click()]);
    assert.equal(download.suggestedFilename(), BIG);
    const saved = join(scratch, 'downloaded.bin');
    await download.saveAs(saved);
    assert.equal(sha256(readFileSync(saved)), sha256(readFileSync(join(scratch, BIG))));
  });

  test('a share link works in a fresh browser context without cookies', TIMEOUT, async () => {
    await page.getByRole('button', { name: `Share ${BIG}` }).click();
    await page.locator('#share-expiry').selectOption(String(3600));
    await page.locator('dialog button[type=submit]').click();
    const url = await page.locator('#share-url').inputValue();
    assert.match(url, /X-Amz-Signature=/);
    assert.ok(url.startsWith(server.endpoint), `${url} is not on the S3 endpoint ${server.endpoint}`);
    await checkScreen('share-link', { docs: true });
    await page.getByRole('button', { name: 'Close' }).click();

    const fresh = await browser.newContext();
    try {
      assert.deepEqual(await fresh.cookies(), []);
      const res = await fresh.request.get(url);
      assert.equal(res.status(), 200);
      assert.equal(sha256(await res.body()), sha256(readFileSync(join(scratch, BIG))));
    } finally {
      await fresh.close();
    }
  });

  test('deletes the file after asking', TIMEOUT, async () => {
    await page.getByRole('button', { name: `Delete ${BIG}` }).click();
    await checkScreen('delete-object');
    await page.locator('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator(`tr[data-key="${BIG}"]`).waitFor({ state: 'detached' });
    const res = await signedFetch(server, 'HEAD', `/${BUCKET}/${BIG}`);
    assert.equal(res.status, 404);
  });

  test('cancelling a large upload stops it and leaves no parts behind', TIMEOUT, async () => {
    // Part 2 is held in the network until the cancel, so the cancel always lands mid-upload.
    let held: Route | undefined;
    let reached!: () => void;
    const atPart2 = new Promise<void>((r) => (reached = r));
    await page.route('**/uploads/*/parts/2?*', (route) => {
      held = route;
      reached();
    });
    try {
      await page.setInputFiles('input[type=file]', join(scratch, 'cancel-me.bin'));
      await atPart2;
      const bar = page.locator('[data-upload-status=uploading] [role=progressbar]');
      assert.ok(Number(await bar.getAttribute('aria-valuenow')) >= 40, 'part 1 (8 of 20 MiB) was counted');
      await page.getByRole('button', { name: 'Cancel upload of cancel-me.bin' }).click();
      await page.locator('[data-upload-status=cancelled]').waitFor();
      assert.equal(await page.locator('[data-upload-status=cancelled] .state').innerText(), 'Cancelled');
    } finally {
      await held?.abort().catch(() => undefined);
      await page.unroute('**/uploads/*/parts/2?*');
    }
    // The browser aborts the multipart upload on the server: its stored part is freed.
    const deadline = Date.now() + 20_000;
    let listing = '';
    do {
      listing = await (await signedFetch(server, 'GET', `/${BUCKET}?uploads`)).text();
      if (!listing.includes('<Upload>')) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    assert.doesNotMatch(listing, /<Upload>/, listing);
    const res = await signedFetch(server, 'HEAD', `/${BUCKET}/cancel-me.bin`);
    assert.equal(res.status, 404);
  });

  test('keyboard: skip link, visible focus, dialog focus and Escape', TIMEOUT, async () => {
    await page.goto(`${consoleUrl}/#/buckets`);
    // A fresh page: focus starts at the top of the document.
    await page.reload();
    await page.getByRole('heading', { name: 'Buckets' }).waitFor();
    const active = () => page.evaluate('document.activeElement && (document.activeElement.id || document.activeElement.textContent.trim())') as Promise<string>;
    await page.keyboard.press('Tab');
    assert.equal(await active(), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await active(), 'main-content');
    await page.keyboard.press('Tab');
    assert.equal(await active(), 'Create bucket');
    const outline = (await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')) as string;
    assert.notEqual(outline, 'none', 'keyboard focus is visible');
    await page.keyboard.press('Enter');
    await page.locator('dialog[open]').waitFor();
    assert.equal(await active(), 'bucket-name');
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    assert.equal(await active(), 'Create bucket', 'focus returns to the button that opened the dialog');
    // Following a link moves focus into the new screen's content.
    await page.getByRole('link', { name: BUCKET }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: BUCKET }).waitFor();
    assert.equal(await active(), 'main-content');
  });

  test('the identity and security pages are reachable and pass the accessibility check', TIMEOUT, async () => {
    await page.getByRole('link', { name: 'Identity' }).click();
    await page.getByRole('heading', { name: 'Identity' }).waitFor();
    await checkScreen('identity');
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await checkScreen('security');
  });

  test('a readonly user is refused an upload by the server, and told so', TIMEOUT, async () => {
    let res = await signedFetch(server, 'PUT', `/granary/admin/v1/users/${READER}`, JSON.stringify({ secretKey: READER_SECRET }));
    assert.ok(res.ok, `create user: ${res.status} ${await res.text()}`);
    res = await signedFetch(server, 'POST', '/granary/admin/v1/policies/readonly/attach', JSON.stringify({ user: READER }));
    assert.ok(res.ok, `attach readonly: ${res.status} ${await res.text()}`);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You have logged out.').waitFor();
    await logIn(READER, READER_SECRET);
    // Back on the screen the last session left (Security), now as the reader.
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    assert.match(await page.locator('nav[aria-label=Main]').innerText(), new RegExp(`${READER}\\s+User`));
    await page.getByRole('link', { name: 'Buckets' }).click();
    // readonly may read objects but not list buckets (MinIO's meaning): the list is empty, opening by name works.
    await page.getByText('No buckets to show.').waitFor();
    await page.locator('#open-bucket').fill(BUCKET);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const listing = page.locator('section[aria-label=Objects] [role=alert]');
    await listing.waitFor();
    assert.match(await listing.innerText(), new RegExp(`may not list what is in ${BUCKET}`));

    await page.setInputFiles('input[type=file]', join(scratch, 'note.txt'));
    const failed = page.locator('[data-upload-status=failed]');
    await failed.waitFor();
    assert.match(await failed.locator('[role=alert]').innerText(), new RegExp(`refused the upload: your account may not add files to ${BUCKET}`));
    // Only this account's uploads are listed: root's finished ones went with root's session.
    assert.equal(await page.locator('[data-upload-status]').count(), 1);
    await checkScreen('readonly-refused');
    res = await signedFetch(server, 'HEAD', `/${BUCKET}/note.txt`);
    assert.equal(res.status, 404, 'the refused upload stored nothing');
  });

  test('a session whose cookie is gone goes back to the login page, saying why', TIMEOUT, async () => {
    await context.clearCookies();
    await page.getByRole('button', { name: 'Refresh the list' }).click();
    await page.locator('#access-key').waitFor();
    assert.match(await page.locator('[role=status]').innerText(), /session has ended/i);
    await checkScreen('session-ended');
  });

  test('an account with MFA is asked for its authenticator code, and a wrong one is explained', TIMEOUT, async () => {
    const name = 'mfa-user';
    const secret = 'Mf4$zQp8!rTn2Wk';
    const res = await signedFetch(server, 'PUT', `/granary/admin/v1/users/${name}`, JSON.stringify({ secretKey: secret }));
    assert.ok(res.ok, await res.text());
    const uri = await enrolMfa(name, secret);

    await logIn(name, secret);
    await page.locator('#mfa-code').waitFor();
    await checkScreen('login-mfa');
    const now = Date.now();
    const valid = new Set([-60_000, -30_000, 0, 30_000, 60_000].map((d) => codeAt(uri, now + d)));
    let wrong = 123456;
    while (valid.has(String(wrong))) wrong++;
    await page.fill('#mfa-code', String(wrong));
    await page.click('button[type=submit]');
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /code is wrong or has expired/);
    // The next step's code: the enrolment spent this step's, and a code is good once.
    await page.fill('#mfa-code', codeAt(uri, Date.now() + 30_000));
    await page.click('button[type=submit]');
    await page.locator('nav[aria-label=Main]').waitFor();
    assert.match(await page.locator('nav[aria-label=Main]').innerText(), new RegExp(`${name}\\s+User`));
  });
});
