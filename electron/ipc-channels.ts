/**
 * The only calls the console page can make into the shell, in one closed
 * list. The preload (a sandboxed CommonJS script that can import nothing of
 * ours at run time) spells them out and is type-checked against this.
 */
export const IPC = {
  pickFolder: 'granary:pick-folder',
  appVersion: 'granary:app-version',
} as const;

export type IpcChannel = (typeof IPC)[keyof typeof IPC];

/** What the preload exposes to the page as `window.granaryDesktop` (the renderer may `import type` it). */
export interface GranaryDesktopApi {
  /** A native folder picker; null when the user cancels. */
  pickFolder(): Promise<string | null>;
  /** The app's version, e.g. "0.1.0". */
  appVersion(): Promise<string>;
}
