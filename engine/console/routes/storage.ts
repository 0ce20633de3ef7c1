import type { FastifyInstance } from 'fastify';
import type { StorageSummary } from '../../api/console/types.js';
import type { ConsoleContext } from '../console-context.js';
import { storageOf } from '../object-params.js';
import { withSession } from '../session-auth.js';
import { storageSummary } from '../storage-summary.js';

/**
 * `GET /storage`: capacity, drives and erasure layout for the dashboard.
 * Any session may read it: it tells how full and how healthy the drives
 * are, nothing about buckets or objects (`granary admin info` says more).
 */
export function storageRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/api/v1/storage', withSession(ctx, {}, async (): Promise<StorageSummary> => storageSummary(await storageOf(ctx).layer.storageInfo())));
}
