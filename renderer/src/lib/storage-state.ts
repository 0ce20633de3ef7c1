import type { ErasureSetSummary } from '../../../engine/api/console/types';

/** The words and colour for a set's (or the deployment's) state. */
export function stateBadge(state: ErasureSetSummary['state']): { tone: 'ok' | 'warn' | 'bad'; label: string; explain: string } {
  switch (state) {
    case 'healthy':
      return { tone: 'ok', label: 'Healthy', explain: 'All drives are online.' };
    case 'degraded':
      return { tone: 'warn', label: 'Degraded', explain: 'Some drives are offline. Reads and writes go on; replace or reconnect the missing drives.' };
    case 'read-only':
      return { tone: 'bad', label: 'Read-only', explain: 'Too many drives are offline to write safely. Objects can still be read.' };
    case 'offline':
      return { tone: 'bad', label: 'Offline', explain: 'Too many drives are offline to read objects. Reconnect drives to bring data back.' };
  }
}

/** How many drives a set may lose and still read everything (m), and still write (m, or m − 1 when k = m). */
export function tolerance(set: Pick<ErasureSetSummary, 'dataDrives' | 'parityDrives'>): { read: number; write: number } {
  const { dataDrives: k, parityDrives: m } = set;
  return { read: m, write: k === m ? m - 1 : m };
}
