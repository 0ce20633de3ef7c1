import type { DriveHealth, HealthSnapshot, LatencySummary, SetHealth } from '../api/health/types.js';
import { show, type AdminCommand } from './admin-spec.js';
import { formatBytes, formatFields, formatTable } from './admin-table.js';

const ms = (l: LatencySummary) => (l.p50 === null ? '-' : `${l.p50}/${l.p99} ms`);

function space(d: DriveHealth): string {
  if (d.totalBytes === undefined || d.freeBytes === undefined) return '?';
  return `${formatBytes(d.freeBytes)} of ${formatBytes(d.totalBytes)}${d.space === 'ok' ? '' : ` (${d.space})`}`;
}

function smart(d: DriveHealth): string {
  if (!d.smart) return '-';
  const temp = d.smart.temperature !== undefined ? `, ${d.smart.temperature} °C` : '';
  return `${d.smart.status}${temp}`;
}

function setLine(s: SetHealth): string {
  const can = s.state === 'healthy' || s.state === 'degraded' ? `, can lose ${s.canLose} more drive${s.canLose === 1 ? '' : 's'} and keep writing` : '';
  return `Set ${s.index + 1} (${s.k} data + ${s.m} parity): ${s.state}${can}`;
}

function renderHealth(h: HealthSnapshot): string {
  const blocks = [formatFields([['State', h.state], ['Deployment', h.deploymentId], ['Time', h.time]])];
  for (const s of h.sets) {
    const rows = s.drives.map((d) => [
      d.path ?? `(slot ${d.slot + 1}: not given)`,
      d.state,
      space(d),
      `${ms(d.latency.read)} / ${ms(d.latency.write)}`,
      `${d.counters.ioErrors}/${d.counters.bitrot}/${d.counters.timeouts}`,
      smart(d),
    ]);
    blocks.push(`${setLine(s)}\n${formatTable(['DRIVE', 'STATE', 'FREE', 'READ / WRITE p50/p99', 'ERR/BITROT/TIMEOUT', 'SMART'], rows)}`);
    const errors = s.drives.filter((d) => d.lastError && d.state !== 'online');
    for (const d of errors) blocks.push(`  ${d.path ?? `slot ${d.slot + 1}`}: ${d.lastError!.message}`);
  }
  for (const heal of h.healing) {
    const of = heal.objectsTotal !== undefined ? ` of ${heal.objectsTotal}` : '';
    blocks.push(`Healing ${heal.drive ?? 'sweep'}: ${heal.objectsDone}${of} objects, ${formatBytes(heal.bytesDone)}${heal.etaSeconds !== undefined ? `, about ${heal.etaSeconds} s left` : ''}`);
  }
  return blocks.join('\n\n');
}

export const HEALTH_COMMANDS: AdminCommand[] = [
  {
    noun: 'health', synopsis: '', arity: [0, 0], summary: 'drives and sets: state, free space, latency, errors, SMART, heals under way',
    async run(ctx) {
      show(ctx, await ctx.client.call<HealthSnapshot>('GET', 'health'), renderHealth);
    },
  },
];
