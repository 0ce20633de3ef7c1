import { resolve } from 'node:path';
import type { HealCounts, HealStatus, SweepStatus } from '../heal/heal-types.js';
import { AdminLocalError } from './admin-errors.js';
import { show, type AdminCommand, type AdminContext } from './admin-spec.js';
import { formatBytes, formatFields, formatTable } from './admin-table.js';

const KINDS: { kind: keyof HealCounts; label: string }[] = [
  { kind: 'metadata', label: 'missing metadata rows' },
  { kind: 'missing', label: 'missing shards' },
  { kind: 'truncated', label: 'truncated shards' },
  { kind: 'corrupt', label: 'corrupt shards (bitrot)' },
  { kind: 'dangling', label: 'dangling versions' },
  { kind: 'stale', label: 'stale rows' },
  { kind: 'diverged', label: 'rows differing in metadata' },
  { kind: 'uploads', label: 'parts of unfinished uploads' },
  { kind: 'orphans', label: 'orphaned shard folders' },
  { kind: 'staging', label: 'staging leftovers' },
  { kind: 'unanswered', label: 'copies unchecked: drive silent' },
];

function renderSweep(s: SweepStatus): string {
  const scope = s.options.bucket ? `${s.options.bucket}/${s.options.prefix ?? ''}` : 'all buckets';
  const head = formatFields([
    ['Sweep', `${s.kind} ${s.id}`],
    ...(s.drive ? ([['Drive', s.drive]] as [string, string][]) : []),
    ['Scope', `${scope}${s.options.deep ? ', deep' : ', quick'}${s.options.dryRun ? ', dry run' : ''}`],
    ['State', s.state],
    ['Progress', `${s.percent}% — ${s.objectsDone} of ${s.objectsTotal} objects, ${formatBytes(s.bytesDone)} of ${formatBytes(s.bytesTotal)}`],
    ['Rate', `${formatBytes(s.rate)}/s${s.etaSeconds !== null && s.state === 'running' ? `, about ${s.etaSeconds} s left` : ''}`],
    ['Errors', s.errors ? `${s.errors} (last: ${s.lastError ?? '?'})` : '0'],
  ]);
  const rows = KINDS.map(({ kind, label }) => [label, String(s.found[kind]), s.options.dryRun || kind === 'unanswered' ? '-' : String(s.fixed[kind])]);
  return `${head}\n\n${formatTable(['FOUND', 'COUNT', 'FIXED'], rows)}`;
}

function renderStatus(st: HealStatus): string {
  const blocks: string[] = [];
  for (const r of st.rebuilds) blocks.push(renderSweep(r));
  if (st.sweep) blocks.push(renderSweep(st.sweep));
  if (st.scan) blocks.push(renderSweep(st.scan));
  const sc = st.scanner;
  blocks.push(formatFields([
    ['Scanner', sc.intervalSeconds > 0 ? `every ${sc.intervalSeconds} s at ${sc.pace || 'unlimited'} objects/s and ${sc.ioMiBps ? `${sc.ioMiBps} MiB/s` : 'unlimited I/O'}, deep every ${sc.deepEvery || 'never'} cycles` : 'off'],
    ['Cycles', String(sc.cycles)],
    ...(sc.nextCycleAt ? ([['Next cycle', sc.nextCycleAt]] as [string, string][]) : []),
  ]));
  if (!st.sweep && !st.scan && st.rebuilds.length === 0) blocks.unshift('No heal has run since the server started.');
  return blocks.join('\n\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the sweep started by this command is over: the command's answer is its report. */
async function waitFor(ctx: AdminContext, id: string): Promise<SweepStatus> {
  for (;;) {
    const st = await ctx.client.call<HealStatus>('GET', 'heal/status');
    const s = st?.sweep;
    if (!s || s.id !== id) throw new AdminLocalError('the sweep is no longer known to the server (was it restarted?)');
    if (s.state !== 'running') return s;
    await sleep(250);
  }
}

export const HEAL_COMMANDS: AdminCommand[] = [
  {
    noun: 'heal', synopsis: '[--bucket B] [--prefix P] [--deep] [--dry-run] [--no-wait]', arity: [0, 0],
    summary: 'check every object (or a bucket / prefix), repair what is damaged and report what was found and fixed',
    flags: { bucket: 'value', prefix: 'value', deep: 'bool', 'dry-run': 'bool', 'no-wait': 'bool' },
    async run(ctx, _args, flags) {
      const started = await ctx.client.call<SweepStatus>('POST', 'heal', {
        body: {
          ...(flags.value('bucket') !== undefined ? { bucket: flags.value('bucket') } : {}),
          ...(flags.value('prefix') !== undefined ? { prefix: flags.value('prefix') } : {}),
          ...(flags.bool('deep') ? { deep: true } : {}),
          ...(flags.bool('dry-run') ? { dryRun: true } : {}),
        },
      });
      if (!started) throw new AdminLocalError('the server started no sweep');
      const result = flags.bool('no-wait') ? started : await waitFor(ctx, started.id);
      show(ctx, result, renderSweep);
      if (result.state === 'failed') throw new AdminLocalError(`the sweep failed: ${result.lastError ?? 'unknown error'}`);
    },
  },
  {
    noun: 'heal', verb: 'status', synopsis: '', arity: [0, 0], summary: 'progress of the running sweep, scanner cycle and drive rebuilds',
    async run(ctx) {
      show(ctx, await ctx.client.call<HealStatus>('GET', 'heal/status'), renderStatus);
    },
  },
  {
    noun: 'drive', verb: 'replace', synopsis: 'OLD NEW [--force]', arity: [2, 2],
    summary: 'format the blank folder NEW in place of lost drive OLD and rebuild it (paths on the server; relative ones are taken from here)',
    flags: { force: 'bool' },
    async run(ctx, [oldPath, newPath], flags) {
      const done = await ctx.client.call<{ set: number; slot: number; driveId: string; old: string; new: string }>('POST', 'drives/replace', {
        body: { old: resolve(oldPath), new: resolve(newPath), ...(flags.bool('force') ? { force: true } : {}) },
      });
      show(ctx, done, (d) => formatFields([
        ['Replaced', d.old],
        ['By', d.new],
        ['Drive', `${d.driveId} (set ${d.set}, slot ${d.slot})`],
        ['Rebuild', 'started: follow it with "granary admin heal status"; restarts that name the old path use the new one'],
      ]));
    },
  },
];
