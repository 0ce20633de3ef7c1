import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { consoleUrlOf } from '../helpers/console-url.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { GROUPS_BASE, LOOKUP_DN, LOOKUP_PASSWORD, startSlapd, USERS_BASE, type RunningSlapd } from '../helpers/slapd.js';
import { startIssuer, type TestIssuer } from '../sts/oidc-issuer.js';
import { inBothSchemes, launchBrowser, newContext, screenshot, seriousViolations } from './browser.js';

/** The login page offers the directory account when LDAP is configured, and a directory user gets in with it. */
let slapd: RunningSlapd;
let server: RunningServer;
let browser: Browser;
let issuer: TestIssuer;

before(async () => {
  slapd = await startSlapd({ users: [{ uid: 'alice', password: 'alice-Ldap-pass-1' }], groups: [{ cn: 'writers', members: ['alice'] }] });
  server = await startServer({
    args: [
      '--ldap-url', slapd.url, '--ldap-lookup-bind-dn', LOOKUP_DN, '--ldap-user-search-base', USERS_BASE, '--ldap-user-search-filter', '(&(objectClass=inetOrgPerson)(uid=%s))',
      '--ldap-group-search-base', GROUPS_BASE, '--ldap-sync-interval', 'off',
    ],
    env: { GRANARY_LDAP_LOOKUP_BIND_PASSWORD: LOOKUP_PASSWORD },
  });
  const root: Account = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  const res = await signedFetch(root, 'POST', '/granary/admin/v1/ldap/policies/attach', JSON.stringify({ dn: slapd.groupDn('writers'), policies: ['readwrite'] }));
  assert.ok(res.ok, await res.text());
  issuer = await startIssuer();
  const idp = await signedFetch(root, 'PUT', '/granary/admin/v1/idp/oidc/corp', JSON.stringify({ configUrl: issuer.configUrl, clientId: 'granary-app', label: 'Corp SSO' }));
  assert.ok(idp.ok, await idp.text());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await slapd?.stop();
  await issuer?.close();
});

test('the login page offers the directory account and the OpenID provider, and logs a directory user in', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(await consoleUrlOf(server));
  const directory = page.getByRole('button', { name: 'Directory account' });
  await directory.waitFor({ timeout: 30_000 });
  // The OpenID provider's button is a link to the login flow.
  assert.equal(await page.getByRole('link', { name: 'Log in with Corp SSO' }).getAttribute('href'), '/api/v1/login/oidc/corp');
  await inBothSchemes(page, async () => {
    await screenshot(page, 'login-keys-sso');
    assert.deepEqual(await seriousViolations(page), []);
  });
  await directory.click();
  assert.equal(await directory.getAttribute('aria-pressed'), 'true');
  await page.getByLabel('User name').waitFor();
  await inBothSchemes(page, async () => {
    await screenshot(page, 'login-directory');
    assert.deepEqual(await seriousViolations(page), []);
  });
  await page.getByLabel('User name').fill('alice');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByText('The user name or password is wrong').waitFor({ timeout: 30_000 });
  await page.getByLabel('Password').fill('alice-Ldap-pass-1');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByText('Directory account').first().waitFor({ timeout: 30_000 });
  await page.getByTitle(slapd.userDn('alice')).getByText('alice', { exact: true }).waitFor({ timeout: 30_000 });
  await screenshot(page, 'login-directory-done');
  await context.close();
});

test('"Log in with Corp SSO" goes to the provider and comes back logged in', async () => {
  issuer.loginAs({ sub: 'erin@corp', policy: 'readwrite' });
  const context = await newContext(browser);
  const page = await context.newPage();
  // A refused round trip comes back with a reason code, shown as a fixed sentence and dropped from the address.
  await page.goto(`${await consoleUrlOf(server)}/?login_error=state#/`);
  await page.getByText('does not belong to this browser').waitFor({ timeout: 30_000 });
  assert.equal(new URL(page.url()).search, '');
  await page.getByRole('link', { name: 'Log in with Corp SSO' }).click();
  await page.getByText('Single sign-on').waitFor({ timeout: 30_000 });
  await page.getByText('erin@corp').first().waitFor({ timeout: 30_000 });
  assert.equal(new URL(page.url()).origin, new URL(await consoleUrlOf(server)).origin);
  await context.close();
});
