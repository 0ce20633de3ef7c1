import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * Added to every response of the console inside the app window, on top of
 * the engine's own page policy: only the console's own origin for scripts,
 * styles, fetches and frames; no plugins, no foreign forms.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The console window: the page gets no Node, runs sandboxed, and sees the preload's API only through contextBridge. */
export function consoleWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Granary',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Whether a URL belongs to the console (same scheme, host and port): the window navigates nowhere else. */
export function isConsoleUrl(url: string, consoleUrl: string | undefined): boolean {
  if (!consoleUrl) return false;
  try {
    return new URL(url).origin === new URL(consoleUrl).origin;
  } catch {
    return false;
  }
}

/** Links the window will not open itself but hands to the system browser. */
export function isExternalWebLink(url: string): boolean {
  try {
    const p = new URL(url).protocol;
    return p === 'https:' || p === 'http:';
  } catch {
    return false;
  }
}
