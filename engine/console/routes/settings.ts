import type { FastifyInstance } from 'fastify';
import type { RequireMfaSetting } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { mfaEnrolled, mfaRequired, REQUIRE_MFA_SETTING } from '../mfa-policy.js';
import { bodyObject, booleanField } from '../request-body.js';
import { withSession } from '../session-auth.js';

/** Console-wide settings: whether every console login needs MFA. */
export function settingsRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam } = ctx.deps;

  app.get('/api/v1/settings/require-mfa', withSession(ctx, { allowRestricted: true }, async (): Promise<RequireMfaSetting> => ({ required: mfaRequired(iam) })));

  app.put('/api/v1/settings/require-mfa', withSession(ctx, {}, async (session, request): Promise<RequireMfaSetting> => {
    const required = booleanField(bodyObject(request.body), 'required');
    // Root only, not admins: it decides how everyone, root included, logs in.
    if (session.identity.type !== 'root') throw new ConsoleError('AccessDenied', 'Only root may change whether MFA is required.');
    // Otherwise root's own session would at once be cut down to "enrol only".
    if (required && !mfaEnrolled(iam, session.claims.sub)) throw new ConsoleError('MfaNotEnrolled', 'Set up MFA for root first, then require it for everyone.');
    await iam.setSetting(REQUIRE_MFA_SETTING, required ? 'true' : null);
    ctx.audit({ event: 'setting changed', setting: REQUIRE_MFA_SETTING, value: required, accessKey: session.claims.sub, address: sourceAddress(request) });
    return { required };
  }));
}
