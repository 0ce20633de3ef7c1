import type { TrafficSummary } from '../../../engine/api/console/types';
import { ApiError } from './api/api-error';
import { request } from './api/http';

/**
 * The last hour of S3 traffic (`GET /api/v1/traffic`), or null when this
 * account may not read it (it needs admin:ServerInfo) or the engine keeps
 * none: the dashboard then leaves the card out.
 */
export async function loadTraffic(): Promise<TrafficSummary | null> {
  try {
    return await request<TrafficSummary>('GET', '/traffic');
  } catch (err) {
    if (err instanceof ApiError && err.code !== 'SessionExpired') return null;
    throw err;
  }
}

/** 1234567 → "1,234,567" in the reader's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString();
}
