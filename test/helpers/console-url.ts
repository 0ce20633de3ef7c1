import type { RunningServer } from './server.js';

/** The console's URL from the server's start-up lines (`Console: http://127.0.0.1:PORT`). */
export async function consoleUrlOf(server: RunningServer): Promise<string> {
  const deadline = Date.now() + 15_000;
  let m: RegExpExecArray | null = null;
  while (!(m = /Console: (https?:\/\/\S+)/.exec(server.output())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (!m) throw new Error(`no console URL in the server's output:\n${server.output()}`);
  return m[1];
}
