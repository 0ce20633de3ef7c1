import { done, show, type AdminCommand } from './admin-spec.js';
import { formatBytes, formatFields, formatTable } from './admin-table.js';
import type { InfoView, RootKeys } from './admin-types.js';

function renderInfo(info: InfoView): string {
  const drives = info.sets.flatMap((s, i) => s.drives.map((d) => ({ set: i + 1, ...d })));
  const online = drives.filter((d) => d.state === 'online').length;
  const head = formatFields([
    ['Version', info.version],
    ['Region', info.region],
    ['Deployment', info.deploymentId],
    ['Drives', `${online} of ${drives.length} online`],
  ]);
  const sets = formatTable(['SET', 'LAYOUT', 'STATE'], info.sets.map((s, i) => [String(i + 1), `${s.k}+${s.m}`, s.state]));
  const driveTable = formatTable(
    ['SET', 'DRIVE', 'STATE', 'USED', 'TOTAL'],
    drives.map((d) => [
      String(d.set),
      d.path ?? '(missing)',
      d.state,
      d.totalBytes !== undefined && d.freeBytes !== undefined ? formatBytes(d.totalBytes - d.freeBytes) : '?',
      formatBytes(d.totalBytes),
    ]),
  );
  return `${head}\n\n${sets}\n\n${driveTable}`;
}

export const SERVER_INFO_COMMANDS: AdminCommand[] = [
  {
    noun: 'info', synopsis: '', arity: [0, 0], summary: 'drives (path, state, used/total), erasure sets (data+parity, state), version',
    async run(ctx) {
      show(ctx, await ctx.client.call<InfoView>('GET', 'info'), renderInfo);
    },
  },
  {
    noun: 'root', verb: 'rotate', synopsis: '', arity: [0, 0], summary: 'give root a new secret key and print it once (root only)',
    async run(ctx) {
      const keys = await ctx.client.call<RootKeys>('POST', 'root/rotate');
      show(ctx, keys, (k) => [
        `New root secret key (shown only this once): ${k.secretKey}`,
        `Access key: ${k.accessKey} (unchanged). The old secret no longer works: update GRANARY_ROOT_PASSWORD and saved clients.`,
      ].join('\n'));
      if (!keys) done(ctx, 'The server rotated the root secret but did not return it.');
    },
  },
];
