import type { FastifyInstance } from 'fastify';
import { requireActions } from '../admin-action.js';
import type { AdminNetworksResponse } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { withSession } from '../session-auth.js';

/** `GET /security/admin-networks`: where the admin API answers from. Read-only: it is set with `--admin-allow` at start. */
export function adminNetworkRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/api/v1/security/admin-networks', withSession(ctx, {}, async (session, request): Promise<AdminNetworksResponse> => {
    await requireActions(ctx, session, request, 'admin:ServerInfo');
    const networks = ctx.deps.adminNetworks;
    if (!networks) throw new ConsoleError('NoSuchRoute', 'This server runs without the admin API.');
    const yourAddress = sourceAddress(request);
    return { cidrs: networks.cidrs, yourAddress, yourAddressAllowed: networks.allows(yourAddress) };
  }));
}
