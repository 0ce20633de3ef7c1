/**
 * The desktop shell's main process: wires the supervisor, the tray and the
 * console window together; every decision is made in the plain modules beside
 * it (supervisor.ts, tray-state.ts, window-options.ts).
 */
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeImage, session, shell, Tray } from 'electron';
import { join } from 'node:path';
import { forkEngineProcess } from './engine-host.js';
import type { EngineStatus } from './engine-status.js';
import { IPC } from './ipc-channels.js';
import { Supervisor } from './supervisor.js';
import { trayState } from './tray-state.js';
import { CONSOLE_CSP, consoleWindowOptions, isConsoleUrl, isExternalWebLink } from './window-options.js';

const appRoot = app.getAppPath();
const ENGINE_ENTRY = join(appRoot, 'dist/engine/host/engine-process.js');
const PRELOAD = join(appRoot, 'dist/electron/preload.cjs');
const RESOURCES = join(appRoot, 'resources');

if (!app.requestSingleInstanceLock()) {
  // Another Granary owns the drives and the ports: let it show itself, and leave.
  app.quit();
} else {
  let tray: Tray | undefined;
  let window: BrowserWindow | undefined;
  let status: EngineStatus = { phase: 'starting' };
  let setupShown = false;
  let quitReady = false;
  let failureShown = '';

  const consoleUrl = () => (status.phase === 'running' || status.phase === 'setup' ? status.consoleUrl : undefined);

  const engineArgs = () => [
    '--config-dir', join(app.getPath('userData'), 'config'),
    '--address', ':9000',
    '--console-address', '127.0.0.1:9001',
  ];
  const supervisor = new Supervisor(() => forkEngineProcess(ENGINE_ENTRY, engineArgs()), { onStatus: (s) => onStatus(s) });

  function openWindow(url: string | undefined): void {
    if (!url) return;
    if (window && !window.isDestroyed()) {
      if (!isConsoleUrl(window.webContents.getURL(), url) || url.includes('/setup?')) void window.loadURL(url);
      window.show();
      window.focus();
      return;
    }
    window = new BrowserWindow({ ...consoleWindowOptions(PRELOAD), icon: join(RESOURCES, 'icon.png') });
    window.webContents.setWindowOpenHandler(({ url: target }) => {
      if (isExternalWebLink(target) && !isConsoleUrl(target, consoleUrl())) void shell.openExternal(target);
      return { action: 'deny' };
    });
    window.webContents.on('will-navigate', (event, target) => {
      if (!isConsoleUrl(target, consoleUrl())) event.preventDefault();
    });
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => (window = undefined));
    void window.loadURL(url);
  }

  // 16 px; Electron picks the @2x twin by itself on HiDPI screens.
  function trayImage(colour: string) {
    return nativeImage.createFromPath(join(RESOURCES, 'tray', `tray-${colour}.png`));
  }

  function refreshTray(): void {
    if (!tray) return;
    const look = trayState(status);
    tray.setImage(trayImage(look.colour));
    tray.setToolTip(look.tooltip);
    const s3Url = status.phase === 'running' ? status.s3Url : undefined;
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: status.phase === 'setup' ? 'Set up Granary…' : 'Open console', enabled: consoleUrl() !== undefined, click: () => openWindow(status.phase === 'setup' ? status.setupUrl : consoleUrl()) },
        { label: 'Copy S3 endpoint', enabled: s3Url !== undefined, click: () => s3Url && clipboard.writeText(s3Url) },
        { type: 'separator' },
        ...(status.phase === 'failed' ? [{ label: 'Start the engine again', click: () => supervisor.start() }] : []),
        { label: 'Start at login', type: 'checkbox', checked: app.getLoginItemSettings().openAtLogin, click: (item) => app.setLoginItemSettings({ openAtLogin: item.checked }) },
        { type: 'separator' },
        { label: 'Quit Granary', click: () => app.quit() },
      ]),
    );
  }

  function onStatus(s: EngineStatus): void {
    status = s;
    refreshTray();
    // The first run: the wizard opens by itself, once.
    if (s.phase === 'setup' && !setupShown) {
      setupShown = true;
      openWindow(s.setupUrl);
    }
    if (s.phase === 'failed' && failureShown !== s.reason) {
      failureShown = s.reason;
      dialog.showErrorBox('Granary stopped', `The storage engine stopped several times in a row and will not be restarted.\n\n${s.reason}\n\nUse "Start the engine again" in the tray menu once the cause is fixed.`);
    }
  }

  app.on('second-instance', () => openWindow(status.phase === 'setup' ? status.setupUrl : consoleUrl()));
  // A tray app: closing the window does not quit.
  app.on('window-all-closed', () => {});
  app.on('before-quit', (event) => {
    if (quitReady) return;
    event.preventDefault();
    void supervisor.stop().finally(() => {
      quitReady = true;
      app.quit();
    });
  });

  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      if (!isConsoleUrl(details.url, consoleUrl())) return callback({ responseHeaders: details.responseHeaders ?? {} });
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONSOLE_CSP] } });
    });
    // Copy buttons write to the clipboard; nothing else (camera, notifications, geolocation…) is granted.
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));

    const fromConsole = (frameUrl: string | undefined) => frameUrl !== undefined && isConsoleUrl(frameUrl, consoleUrl());
    ipcMain.handle(IPC.pickFolder, async (event) => {
      if (!fromConsole(event.senderFrame?.url)) throw new Error('refused: not the console');
      const options = { title: 'Choose a folder for Granary', properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    });
    ipcMain.handle(IPC.appVersion, (event) => {
      if (!fromConsole(event.senderFrame?.url)) throw new Error('refused: not the console');
      return app.getVersion();
    });

    tray = new Tray(trayImage('amber'));
    tray.on('click', () => openWindow(status.phase === 'setup' ? status.setupUrl : consoleUrl()));
    refreshTray();
    supervisor.start();
  });
}
