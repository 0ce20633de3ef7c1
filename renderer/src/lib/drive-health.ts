import { ApiError } from './api/api-error';
import { request } from './api/http';
import type { DriveHealth, HealProgress, HealthSnapshot } from '../../../engine/api/health/types';

/** What the drive table shows of a drive: `GET /api/v1/health` (engine/health). */
export type DriveHealthView = DriveHealth;

export interface HealthView {
  /** Drive health by path. */
  drives: Map<string, DriveHealthView>;
  /** Heals under way: a replaced drive's rebuild, a sweep. */
  healing: HealProgress[];
}

/**
 * Drive health by path and heals under way, or null when this engine has no
 * health JSON or this account may not read it (it needs admin:ServerInfo):
 * the dashboard then shows what the storage summary says.
 */
export async function loadHealth(): Promise<HealthView | null> {
  try {
    const snap = await request<HealthSnapshot>('GET', '/health');
    const drives = new Map<string, DriveHealthView>();
    for (const set of snap.sets) for (const d of set.drives) if (d.path) drives.set(d.path, d);
    return { drives, healing: snap.healing };
  } catch (err) {
    if (err instanceof ApiError && err.code !== 'SessionExpired') return null;
    throw err;
  }
}

/** The words and colour of a drive's state. */
export function driveBadge(state: DriveHealthView['state']): { tone: 'ok' | 'warn' | 'bad' | 'neutral'; label: string } {
  switch (state) {
    case 'online':
      return { tone: 'ok', label: 'Online' };
    case 'offline':
      return { tone: 'bad', label: 'Offline' };
    case 'faulty':
      return { tone: 'bad', label: 'Errors' };
    case 'healing':
      return { tone: 'warn', label: 'Healing' };
    case 'unformatted':
      return { tone: 'neutral', label: 'Not formatted' };
  }
}
