import { utilityProcess } from 'electron';
import { parseEngineMessage } from './engine-messages.js';
import type { EngineProcess } from './supervisor.js';

/**
 * The engine in an Electron utility process: Node without Electron's APIs,
 * its status over `process.parentPort` (engine/host/host-channel.ts). The
 * supervisor sees only EngineProcess, as it does in the tests under Node.
 */
export function forkEngineProcess(entry: string, args: string[]): EngineProcess {
  const child = utilityProcess.fork(entry, args, { serviceName: 'Granary engine', stdio: 'inherit' });
  return {
    send: (m) => child.postMessage(m),
    // utilityProcess.kill() is SIGTERM, which the engine answers with a graceful stop: this is for when that did not end it.
    kill: () => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      else child.kill();
    },
    onMessage: (listener) => {
      child.on('message', (data: unknown) => {
        const m = parseEngineMessage(data);
        if (m) listener(m);
      });
    },
    onExit: (listener) => {
      child.once('exit', (code) => listener(code));
    },
  };
}
