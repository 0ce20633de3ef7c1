import type { FastifyInstance } from 'fastify';
import type { SessionInfo } from '../../api/console/types.js';
import type { ConsoleContext } from '../console-context.js';
import { sessionInfo, withSession } from '../session-auth.js';

/**
 * `GET /session`: who am I. 401 `SessionExpired` sends the console to its
 * login page. It also hands the CSRF token back to a reloaded page, which
 * lost the one login gave it; no other site can read this answer.
 */
export function sessionRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/api/v1/session', withSession(ctx, { allowRestricted: true }, async (session): Promise<SessionInfo> => sessionInfo(ctx, session)));
}
