import { GranaryError } from '../common/errors.js';
import type { AdminDeps } from './admin-api.js';
import type { AdminRoute } from './admin-routes.js';

const SWEEP_FIELDS = new Set(['bucket', 'prefix', 'deep', 'dryRun']);
const REPLACE_FIELDS = new Set(['old', 'new', 'force']);

/**
 * `POST heal` `{ bucket?, prefix?, deep?, dryRun? }` starts a sweep and
 * answers its status at once (progress in `GET heal/status`);
 * `POST drives/replace` `{ old, new, force? }` formats the blank folder NEW
 * in the place of drive OLD and starts its rebuild (engine/heal/healer.ts).
 */
export const HEAL_ROUTES: AdminRoute[] = [
  {
    method: 'POST', path: 'heal', action: () => 'admin:Heal',
    run: async ({ deps, json }) => {
      const body = json();
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GranaryError('InvalidInput', 'The request body must be a JSON object.');
      const b = body as Record<string, unknown>;
      const unknown = Object.keys(b).find((k) => !SWEEP_FIELDS.has(k));
      if (unknown !== undefined) throw new GranaryError('InvalidInput', `Unknown field ${JSON.stringify(unknown)}; a heal takes bucket, prefix, deep and dryRun.`);
      for (const f of ['bucket', 'prefix'] as const) if (b[f] !== undefined && typeof b[f] !== 'string') throw new GranaryError('InvalidInput', `${f} must be a string.`);
      for (const f of ['deep', 'dryRun'] as const) if (b[f] !== undefined && typeof b[f] !== 'boolean') throw new GranaryError('InvalidInput', `${f} must be true or false.`);
      if (b.bucket === '') throw new GranaryError('InvalidInput', 'bucket must not be empty.');
      return healerOf(deps).startSweep({
        ...(b.bucket !== undefined ? { bucket: b.bucket as string } : {}),
        ...(b.prefix !== undefined ? { prefix: b.prefix as string } : {}),
        ...(b.deep !== undefined ? { deep: b.deep as boolean } : {}),
        ...(b.dryRun !== undefined ? { dryRun: b.dryRun as boolean } : {}),
      });
    },
  },
  { method: 'GET', path: 'heal/status', action: () => 'admin:ServerInfo', run: async ({ deps }) => healerOf(deps).status() },
  {
    method: 'POST', path: 'drives/replace', action: () => 'admin:Heal',
    run: async ({ deps, json }) => {
      const body = json();
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GranaryError('InvalidInput', 'The request body must be a JSON object.');
      const b = body as Record<string, unknown>;
      const unknown = Object.keys(b).find((k) => !REPLACE_FIELDS.has(k));
      if (unknown !== undefined) throw new GranaryError('InvalidInput', `Unknown field ${JSON.stringify(unknown)}; a drive replacement takes old, new and force.`);
      for (const f of ['old', 'new'] as const) if (typeof b[f] !== 'string' || b[f] === '') throw new GranaryError('InvalidInput', `${f} must be a drive path.`);
      if (b.force !== undefined && typeof b.force !== 'boolean') throw new GranaryError('InvalidInput', 'force must be true or false.');
      return healerOf(deps).replaceDrive(b.old as string, b.new as string, { force: b.force === true });
    },
  },
];

function healerOf(deps: AdminDeps): NonNullable<AdminDeps['healer']> {
  if (!deps.healer) throw new GranaryError('NotImplemented', 'This server does not heal.');
  return deps.healer;
}
