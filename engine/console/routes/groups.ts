import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireActions } from '../admin-action.js';
import type { GroupInfo, GroupsResponse } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext, type ConsoleSession } from '../console-context.js';
import { groupInfo } from '../iam-views.js';
import { bodyObject, optionalStringListField, statusField, stringField, stringListField } from '../request-body.js';
import { withSession } from '../session-auth.js';

const nameOf = (request: FastifyRequest): string => (request.params as { name: string }).name;

/** Groups: list, add, members, enable or disable, remove, attached policies (the admin API's actions). */
export function groupRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam } = ctx.deps;
  const changed = (session: ConsoleSession, request: FastifyRequest, event: string, fields: Record<string, unknown>) =>
    ctx.audit({ event, ...fields, accessKey: session.identity.accessKey, address: sourceAddress(request) });

  app.get('/api/v1/groups', withSession(ctx, {}, async (session, request): Promise<GroupsResponse> => {
    await requireActions(ctx, session, request, 'admin:ListGroups');
    return { groups: iam.listGroups().map(groupInfo) };
  }));

  app.post('/api/v1/groups', withSession(ctx, {}, async (session, request, reply): Promise<GroupInfo> => {
    const body = bodyObject(request.body);
    const name = stringField(body, 'name', 64);
    const members = optionalStringListField(body, 'members', 1000);
    const policies = optionalStringListField(body, 'policies');
    // Making a group is admin:AddUserToGroup in the admin API (MinIO has no CreateGroup action).
    await requireActions(ctx, session, request, ['admin:AddUserToGroup', ...(policies?.length ? ['admin:AttachUserOrGroupPolicy'] : [])]);
    for (const m of members ?? []) iam.getUser(m);
    for (const p of policies ?? []) iam.getPolicy(p);
    await iam.createGroup(name);
    if (members?.length) await iam.addGroupMembers(name, members);
    if (policies?.length) await iam.attachPolicies({ group: name }, policies);
    changed(session, request, 'group created', { group: name });
    reply.code(201);
    return groupInfo(iam.getGroup(name));
  }));

  app.put('/api/v1/groups/:name/members', withSession(ctx, {}, async (session, request): Promise<GroupInfo> => {
    const name = nameOf(request);
    const want = stringListField(bodyObject(request.body), 'members', 1000);
    const have = iam.getGroup(name).members;
    const add = want.filter((m) => !have.includes(m));
    const remove = have.filter((m) => !want.includes(m));
    // No change at all still needs a membership right: the answer shows the group.
    await requireActions(ctx, session, request, [...(add.length || !remove.length ? ['admin:AddUserToGroup'] : []), ...(remove.length ? ['admin:RemoveUserFromGroup'] : [])]);
    if (add.length) await iam.addGroupMembers(name, add);
    if (remove.length) await iam.removeGroupMembers(name, remove);
    changed(session, request, 'group members set', { group: name, members: want });
    return groupInfo(iam.getGroup(name));
  }));

  app.put('/api/v1/groups/:name/status', withSession(ctx, {}, async (session, request): Promise<GroupInfo> => {
    const name = nameOf(request);
    const status = statusField(bodyObject(request.body));
    await requireActions(ctx, session, request, status === 'enabled' ? 'admin:EnableGroup' : 'admin:DisableGroup');
    await iam.setGroupStatus(name, status);
    changed(session, request, `group ${status}`, { group: name });
    return groupInfo(iam.getGroup(name));
  }));

  app.put('/api/v1/groups/:name/policies', withSession(ctx, {}, async (session, request): Promise<GroupInfo> => {
    const name = nameOf(request);
    const want = stringListField(bodyObject(request.body), 'policies');
    await requireActions(ctx, session, request, 'admin:AttachUserOrGroupPolicy');
    const have = iam.getGroup(name).policies;
    const attach = want.filter((p) => !have.includes(p));
    const detach = have.filter((p) => !want.includes(p));
    if (attach.length) await iam.attachPolicies({ group: name }, attach);
    if (detach.length) await iam.detachPolicies({ group: name }, detach);
    changed(session, request, 'group policies set', { group: name, policies: want });
    return groupInfo(iam.getGroup(name));
  }));

  app.delete('/api/v1/groups/:name', withSession(ctx, {}, async (session, request, reply) => {
    const name = nameOf(request);
    await requireActions(ctx, session, request, 'admin:RemoveUserFromGroup');
    await iam.deleteGroup(name);
    changed(session, request, 'group removed', { group: name });
    return reply.code(204).send();
  }));
}
