/**
 * The console window's preload: sandboxed, CommonJS (sandboxed preloads cannot
 * be ES modules), and exposing exactly GranaryDesktopApi, nothing of
 * ipcRenderer itself.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS: require is how it reaches Electron
import electron = require('electron');
import type { GranaryDesktopApi, IpcChannel } from './ipc-channels.js';

const { contextBridge, ipcRenderer } = electron;
const PICK_FOLDER: IpcChannel = 'granary:pick-folder';
const APP_VERSION: IpcChannel = 'granary:app-version';

const api: GranaryDesktopApi = {
  pickFolder: () => ipcRenderer.invoke(PICK_FOLDER) as Promise<string | null>,
  appVersion: () => ipcRenderer.invoke(APP_VERSION) as Promise<string>,
};

contextBridge.exposeInMainWorld('granaryDesktop', api);
