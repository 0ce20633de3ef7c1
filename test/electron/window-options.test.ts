import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSOLE_CSP, consoleWindowOptions, isConsoleUrl, isExternalWebLink } from '../../electron/window-options.js';

describe('console window options', () => {
  it('isolates the page: context isolation, sandbox, no Node anywhere', () => {
    const w = consoleWindowOptions('/app/dist/electron/preload.cjs').webPreferences!;
    assert.equal(w.preload, '/app/dist/electron/preload.cjs');
    assert.equal(w.contextIsolation, true);
    assert.equal(w.sandbox, true);
    assert.equal(w.nodeIntegration, false);
    assert.equal(w.nodeIntegrationInWorker, false);
    assert.equal(w.nodeIntegrationInSubFrames, false);
    assert.equal(w.webSecurity, true);
    assert.equal(w.webviewTag, false);
  });

  it('has a CSP that allows only the console itself', () => {
    assert.match(CONSOLE_CSP, /default-src 'self'/);
    assert.match(CONSOLE_CSP, /script-src 'self'(;|$)/);
    assert.match(CONSOLE_CSP, /object-src 'none'/);
    assert.match(CONSOLE_CSP, /frame-ancestors 'none'/);
    assert.doesNotMatch(CONSOLE_CSP, /unsafe-eval|\*/);
  });

  it('navigates only within the console origin; web links go to the browser', () => {
    const c = 'http://127.0.0.1:9001';
    assert.equal(isConsoleUrl('http://127.0.0.1:9001/buckets/a?x=1', c), true);
    assert.equal(isConsoleUrl('http://127.0.0.1:9000/', c), false);
    assert.equal(isConsoleUrl('https://127.0.0.1:9001/', c), false);
    assert.equal(isConsoleUrl('http://localhost:9001/', c), false);
    assert.equal(isConsoleUrl('file:///etc/passwd', c), false);
    assert.equal(isConsoleUrl('not a url', c), false);
    assert.equal(isConsoleUrl('http://127.0.0.1:9001/', undefined), false);
    assert.equal(isExternalWebLink('https://github.com/'), true);
    assert.equal(isExternalWebLink('file:///etc/passwd'), false);
    assert.equal(isExternalWebLink('javascript:alert(1)'), false);
  });
});
