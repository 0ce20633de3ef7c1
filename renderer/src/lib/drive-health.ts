import { ApiError } from './api/api-error';
import { request } from './api/http';
import type { DriveHealth, HealthSnapshot } from '../../../engine/health/health-types';

/** What the drive table shows of a drive: `GET /api/v1/health` (engine/health). */
export type DriveHealthView = DriveHealth;

/**
 * Drive health by path, or null when this engine has no health JSON or this
 * account may not read it (it needs admin:ServerInfo): the dashboard then
 * shows what the storage summary says.
 */
export async function loadDriveHealth(): Promise<Map<string, DriveHealthView> | null> {
  try {
    const snap = await request<HealthSnapshot>('GET', '/health');
    const byPath = new Map<string, DriveHealthView>();
    for (const set of snap.sets) for (const d of set.drives) if (d.path) byPath.set(d.path, d);
    return byPath;
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
