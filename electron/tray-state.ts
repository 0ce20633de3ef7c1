import type { EngineStatus } from './engine-status.js';

export type TrayColour = 'green' | 'amber' | 'red';

export interface TrayState {
  colour: TrayColour;
  /** One or two short lines: what a hover over the icon tells. */
  tooltip: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The tray icon's colour and tooltip. Green: every drive online. Amber:
 * degraded, healing, read-only, or not serving yet (starting, waiting for
 * setup). Red: below read quorum (objects cannot be read) or the engine is
 * down (crashed, restarting, given up, stopped).
 */
export function trayState(status: EngineStatus): TrayState {
  switch (status.phase) {
    case 'starting':
      return { colour: 'amber', tooltip: 'Granary is starting…' };
    case 'setup':
      return { colour: 'amber', tooltip: 'Granary needs setting up: choose its drives' };
    case 'stopping':
      return { colour: 'amber', tooltip: 'Granary is stopping…' };
    case 'stopped':
      return { colour: 'red', tooltip: 'Granary is stopped' };
    case 'restarting':
      return { colour: 'red', tooltip: `Granary stopped unexpectedly (${status.reason}); restarting in ${Math.ceil(status.inMs / 1000)} s` };
    case 'failed':
      return { colour: 'red', tooltip: `Granary is not running: ${status.reason}` };
    case 'running':
      return runningState(status.health);
  }
}

function runningState(h: Extract<EngineStatus, { phase: 'running' }>['health']): TrayState {
  if (!h) return { colour: 'amber', tooltip: 'Granary is running; checking the drives…' };
  const offline = h.drivesTotal - h.drivesOnline;
  const first = h.problems[0] ? `\n${h.problems[0]}` : '';
  switch (h.state) {
    case 'offline':
      return { colour: 'red', tooltip: `Granary: objects cannot be read, ${plural(offline, 'drive')} of ${h.drivesTotal} offline${first}` };
    case 'read-only':
      return { colour: 'amber', tooltip: `Granary is read-only: ${plural(offline, 'drive')} of ${h.drivesTotal} offline${first}` };
    case 'degraded':
      return { colour: 'amber', tooltip: `Granary is degraded: ${plural(offline, 'drive')} of ${h.drivesTotal} offline; data is still safe${h.drivesHealing ? `; ${plural(h.drivesHealing, 'drive')} healing` : ''}` };
    case 'ok':
      if (h.drivesHealing > 0) return { colour: 'amber', tooltip: `Granary is healing ${plural(h.drivesHealing, 'drive')}; all ${h.drivesTotal} drives online` };
      return { colour: 'green', tooltip: `Granary: all ${h.drivesTotal} drives online` };
  }
}
