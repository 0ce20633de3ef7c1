import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium, headless, with nothing that reaches beyond 127.0.0.1. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const SCREENSHOT_DIR = join(import.meta.dirname, '../../.tmp/screenshots');
/** The few screenshots the README shows, small. */
export const DOCS_SCREENSHOT_DIR = join(import.meta.dirname, '../../docs/screenshots');

export async function newContext(browser: Browser, opts: { acceptDownloads?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1200, height: 760 }, acceptDownloads: opts.acceptDownloads ?? true });
}

/** Saves `.tmp/screenshots/<name>-<scheme>.png`; with `docs`, also a small copy for the README. */
export async function screenshot(page: Page, name: string, opts: { docs?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const scheme = (await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")) ? 'dark' : 'light';
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${scheme}.png`) });
  if (opts.docs) {
    mkdirSync(DOCS_SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(DOCS_SCREENSHOT_DIR, `${name}-${scheme}.png`), await halfSize(page, await page.screenshot()));
  }
}

/** The README's copy: the screenshot scaled to half its width by the browser's own canvas (no image library needed). */
async function halfSize(page: Page, png: Buffer): Promise<Buffer> {
  const scratch = await page.context().newPage();
  try {
    // A string, not a function: the tests compile without the DOM's types.
    const b64 = (await scratch.evaluate(`(async (src) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + src;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(img.width / 2);
      canvas.height = Math.round(img.height / 2);
      const g = canvas.getContext('2d');
      g.imageSmoothingQuality = 'high';
      g.drawImage(img, 0, 0, canvas.width, canvas.height);
      return canvas.toDataURL('image/png').split(',')[1];
    })(${JSON.stringify(png.toString('base64'))})`)) as string;
    return Buffer.from(b64, 'base64');
  } finally {
    await scratch.close();
  }
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** The serious and critical accessibility violations axe finds on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Runs `check` in light and dark: each screen is screenshotted and checked by axe in both schemes. */
export async function inBothSchemes(page: Page, check: (scheme: 'light' | 'dark') => Promise<void>): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await check(scheme);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
