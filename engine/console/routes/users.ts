import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireActions } from '../admin-action.js';
import type { UserInfo, UsersResponse } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext, type ConsoleSession } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { userInfo } from '../iam-views.js';
import { bodyObject, optionalStringListField, statusField, stringField, stringListField } from '../request-body.js';
import { withSession } from '../session-auth.js';

const nameOf = (request: FastifyRequest): string => (request.params as { name: string }).name;

/**
 * Users: list, add (with a password, the password rules apply), enable or
 * disable, remove, which policies are attached and which groups they are in.
 * All changes go through IamService; the admin action of each is decided
 * for the session (admin-action.ts).
 */
export function userRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam } = ctx.deps;
  const changed = (session: ConsoleSession, request: FastifyRequest, event: string, fields: Record<string, unknown>) =>
    ctx.audit({ event, ...fields, accessKey: session.identity.accessKey, address: sourceAddress(request) });

  app.get('/api/v1/users', withSession(ctx, {}, async (session, request): Promise<UsersResponse> => {
    await requireActions(ctx, session, request, 'admin:ListUsers');
    return { users: iam.listUsers().map((u) => userInfo(iam, u)) };
  }));

  app.post('/api/v1/users', withSession(ctx, {}, async (session, request, reply): Promise<UserInfo> => {
    const body = bodyObject(request.body);
    const name = stringField(body, 'name', 64);
    const secretKey = stringField(body, 'secretKey', 128);
    const policies = optionalStringListField(body, 'policies');
    const groups = optionalStringListField(body, 'groups');
    await requireActions(ctx, session, request, ['admin:CreateUser', ...(policies?.length ? ['admin:AttachUserOrGroupPolicy'] : []), ...(groups?.length ? ['admin:AddUserToGroup'] : [])]);
    // Policies and groups are checked before the user is made, so a bad name leaves no half-made user behind.
    for (const p of policies ?? []) iam.getPolicy(p);
    for (const g of groups ?? []) iam.getGroup(g);
    await iam.createUser(name, secretKey);
    if (policies?.length) await iam.attachPolicies({ user: name }, policies);
    if (groups?.length) await iam.setUserGroups(name, groups);
    changed(session, request, 'user created', { user: name });
    reply.code(201);
    return userInfo(iam, iam.getUser(name));
  }));

  app.put('/api/v1/users/:name/status', withSession(ctx, {}, async (session, request): Promise<UserInfo> => {
    const name = nameOf(request);
    const status = statusField(bodyObject(request.body));
    await requireActions(ctx, session, request, status === 'enabled' ? 'admin:EnableUser' : 'admin:DisableUser');
    if (status === 'disabled' && session.identity.type === 'user' && session.identity.username === name) {
      throw new ConsoleError('InvalidRequest', 'You cannot disable the account you are logged in with.');
    }
    await iam.setUserStatus(name, status);
    changed(session, request, `user ${status}`, { user: name });
    return userInfo(iam, iam.getUser(name));
  }));

  app.put('/api/v1/users/:name/policies', withSession(ctx, {}, async (session, request): Promise<UserInfo> => {
    const name = nameOf(request);
    const want = stringListField(bodyObject(request.body), 'policies');
    await requireActions(ctx, session, request, 'admin:AttachUserOrGroupPolicy');
    const have = iam.getUser(name).policies;
    const attach = want.filter((p) => !have.includes(p));
    const detach = have.filter((p) => !want.includes(p));
    if (attach.length) await iam.attachPolicies({ user: name }, attach);
    if (detach.length) await iam.detachPolicies({ user: name }, detach);
    changed(session, request, 'user policies set', { user: name, policies: want });
    return userInfo(iam, iam.getUser(name));
  }));

  app.put('/api/v1/users/:name/groups', withSession(ctx, {}, async (session, request): Promise<UserInfo> => {
    const name = nameOf(request);
    const want = stringListField(bodyObject(request.body), 'groups');
    const have = iam.groupsOf(iam.getUser(name).name);
    const adds = want.some((g) => !have.includes(g));
    const removes = have.some((g) => !want.includes(g));
    // No change at all still needs a membership right: the answer shows the user.
    await requireActions(ctx, session, request, [...(adds || !removes ? ['admin:AddUserToGroup'] : []), ...(removes ? ['admin:RemoveUserFromGroup'] : [])]);
    await iam.setUserGroups(name, want);
    changed(session, request, 'user groups set', { user: name, groups: want });
    return userInfo(iam, iam.getUser(name));
  }));

  app.delete('/api/v1/users/:name', withSession(ctx, {}, async (session, request, reply) => {
    const name = nameOf(request);
    await requireActions(ctx, session, request, 'admin:DeleteUser');
    if (session.identity.type !== 'root' && session.identity.username === name) throw new ConsoleError('InvalidRequest', 'You cannot remove the account you are logged in with.');
    await iam.deleteUser(name);
    changed(session, request, 'user removed', { user: name });
    return reply.code(204).send();
  }));
}
