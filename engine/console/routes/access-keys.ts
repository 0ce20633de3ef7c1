import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceAccountRecord } from '../../iam/records.js';
import { isSelf, ownAccount, requireActions } from '../admin-action.js';
import type { AccessKeyInfo, AccessKeysResponse, NewAccessKeyResponse } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext, type ConsoleSession } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { accessKeyInfo } from '../iam-views.js';
import { bodyObject, optionalStringField, statusField } from '../request-body.js';
import { withSession } from '../session-auth.js';
import { POLICY_BODY_LIMIT } from './policies.js';

const MAX_POLICY_CHARS = 40 * 1024;

/**
 * Access keys (service accounts): a session's own, or with the admin
 * actions another user's. The secret key is in the answer to the create
 * call only. An access key's own policy can only narrow its user's rights.
 */
export function accessKeyRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam } = ctx.deps;
  const changed = (session: ConsoleSession, request: FastifyRequest, event: string, fields: Record<string, unknown>) =>
    ctx.audit({ event, ...fields, accessKey: session.identity.accessKey, address: sourceAddress(request) });

  /** The key named in the path, with the right to act on it checked: own keys need no admin action. */
  const keyFor = async (session: ConsoleSession, request: FastifyRequest, action: string): Promise<ServiceAccountRecord> => {
    const key = (request.params as { key: string }).key;
    const sa = iam.getServiceAccount(key);
    const own = isSelf(session, sa.parent) || (session.identity.type === 'root' && sa.parent === session.identity.accessKey);
    if (!own) await requireActions(ctx, session, request, action);
    return sa;
  };

  app.get('/api/v1/access-keys', withSession(ctx, {}, async (session, request): Promise<AccessKeysResponse> => {
    const q = request.query as Record<string, unknown>;
    if (q.user !== undefined && (typeof q.user !== 'string' || q.user === '')) throw new ConsoleError('InvalidRequest', 'user must be a user name.');
    const all = q.all === 'true';
    const own = ownAccount(session);
    const user = all ? undefined : typeof q.user === 'string' ? q.user : own;
    // Own keys need no right, except for a service account's session: it acts for its user, not as it.
    if (all || user !== own || session.identity.type === 'serviceAccount') await requireActions(ctx, session, request, 'admin:ListServiceAccounts');
    if (user !== undefined && user !== iam.rootAccessKey) iam.getUser(user);
    return { accessKeys: iam.listServiceAccounts(user).map((s) => accessKeyInfo(s)) };
  }));

  app.post('/api/v1/access-keys', { bodyLimit: POLICY_BODY_LIMIT }, withSession(ctx, {}, async (session, request, reply): Promise<NewAccessKeyResponse> => {
    const body = bodyObject(request.body);
    const parent = optionalStringField(body, 'user', 128) ?? ownAccount(session);
    const name = optionalStringField(body, 'name', 64);
    const description = optionalStringField(body, 'description', 256);
    const expiry = optionalDate(body, 'expiry');
    const policy = optionalStringField(body, 'policy', MAX_POLICY_CHARS);
    // A service account logged in here acts for its user but may not mint more keys for it (as in MinIO).
    if (session.identity.type === 'serviceAccount') await requireActions(ctx, session, request, 'admin:CreateServiceAccount');
    else if (parent !== ownAccount(session)) await requireActions(ctx, session, request, 'admin:CreateServiceAccount');
    const sa = await iam.createServiceAccount(parent, {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(expiry !== undefined ? { expiry } : {}),
      ...(policy !== undefined ? { policy } : {}),
    });
    changed(session, request, 'access key created', { user: parent, key: sa.accessKey });
    reply.code(201);
    return { ...accessKeyInfo(sa), secretKey: sa.secretKey };
  }));

  app.patch('/api/v1/access-keys/:key', { bodyLimit: POLICY_BODY_LIMIT }, withSession(ctx, {}, async (session, request): Promise<AccessKeyInfo> => {
    const body = bodyObject(request.body);
    const sa = await keyFor(session, request, 'admin:UpdateServiceAccount');
    const status = body.status === undefined ? undefined : statusField(body);
    const name = body.name === undefined ? undefined : typeof body.name === 'string' && body.name.length <= 64 ? body.name : bad('name must be at most 64 characters.');
    const description = body.description === undefined ? undefined : typeof body.description === 'string' && body.description.length <= 256 ? body.description : bad('description must be at most 256 characters.');
    const expiry = body.expiry === null ? null : optionalDate(body, 'expiry');
    const policy = body.policy === null ? null : optionalStringField(body, 'policy', MAX_POLICY_CHARS);
    const next = await iam.updateServiceAccount(sa.accessKey, {
      ...(status !== undefined ? { status } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(expiry !== undefined ? { expiry } : {}),
      ...(policy !== undefined ? { policy } : {}),
    });
    changed(session, request, 'access key changed', { user: sa.parent, key: sa.accessKey, ...(status ? { status } : {}) });
    return accessKeyInfo(next);
  }));

  app.delete('/api/v1/access-keys/:key', withSession(ctx, {}, async (session, request, reply) => {
    const sa = await keyFor(session, request, 'admin:RemoveServiceAccount');
    if (session.identity.accessKey === sa.accessKey) throw new ConsoleError('InvalidRequest', 'You cannot revoke the access key you are logged in with.');
    await iam.deleteServiceAccount(sa.accessKey);
    changed(session, request, 'access key revoked', { user: sa.parent, key: sa.accessKey });
    return reply.code(204).send();
  }));
}

function bad(message: string): never {
  throw new ConsoleError('InvalidRequest', message);
}

/** An ISO 8601 date (the UI sends one), as epoch ms. */
function optionalDate(body: Record<string, unknown>, name: string): number | undefined {
  const text = optionalStringField(body, name, 64);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ConsoleError('InvalidRequest', `${name} must be an ISO 8601 date, such as 2027-01-31T00:00:00Z.`);
  return ms;
}
