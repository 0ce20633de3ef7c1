import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireActions } from '../admin-action.js';
import type { PoliciesResponse, PolicyCheckResponse, PolicyInfo } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext, type ConsoleSession } from '../console-context.js';
import { policySummary } from '../iam-views.js';
import { bodyObject, stringField } from '../request-body.js';
import { withSession } from '../session-auth.js';

/** A policy may be 20 KiB of text (engine/iam/policy/parse.ts); as a JSON string its escapes can make it several times that. */
export const POLICY_BODY_LIMIT = 160 * 1024;
const MAX_DOCUMENT_CHARS = 40 * 1024;

const nameOf = (request: FastifyRequest): string => (request.params as { name: string }).name;

/**
 * Managed policies: list, read, create, replace, check, delete. Built-ins
 * are read-only (IamService refuses changing them). A refused document
 * answers 400 MalformedPolicyDocument with the line and column of the
 * offending part, for the editor to point at.
 */
export function policyRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam } = ctx.deps;
  const opts = { bodyLimit: POLICY_BODY_LIMIT };
  const changed = (session: ConsoleSession, request: FastifyRequest, event: string, fields: Record<string, unknown>) =>
    ctx.audit({ event, ...fields, accessKey: session.identity.accessKey, address: sourceAddress(request) });

  app.get('/api/v1/policies', withSession(ctx, {}, async (session, request): Promise<PoliciesResponse> => {
    await requireActions(ctx, session, request, 'admin:ListUserPolicies');
    return { policies: iam.listPolicies().map((p) => policySummary(iam, p)) };
  }));

  app.get('/api/v1/policies/:name', withSession(ctx, {}, async (session, request): Promise<PolicyInfo> => {
    await requireActions(ctx, session, request, 'admin:GetPolicy');
    const p = iam.getPolicy(nameOf(request));
    // Built-ins are kept as compact JSON; shown indented so they read like the ones people write.
    const document = p.builtin ? JSON.stringify(JSON.parse(p.document), null, 2) : p.document;
    return { ...policySummary(iam, p), document };
  }));

  app.post('/api/v1/policies/check', opts, withSession(ctx, {}, async (session, request): Promise<PolicyCheckResponse> => {
    const document = stringField(bodyObject(request.body), 'document', MAX_DOCUMENT_CHARS);
    await requireActions(ctx, session, request, 'admin:GetPolicy');
    iam.checkPolicy(document);
    return { valid: true };
  }));

  app.post('/api/v1/policies', opts, withSession(ctx, {}, async (session, request, reply): Promise<PolicyInfo> => {
    const body = bodyObject(request.body);
    const name = stringField(body, 'name', 128);
    const document = stringField(body, 'document', MAX_DOCUMENT_CHARS);
    await requireActions(ctx, session, request, 'admin:CreatePolicy');
    await iam.createPolicy(name, document);
    changed(session, request, 'policy created', { policy: name });
    reply.code(201);
    const p = iam.getPolicy(name);
    return { ...policySummary(iam, p), document: p.document };
  }));

  app.put('/api/v1/policies/:name', opts, withSession(ctx, {}, async (session, request): Promise<PolicyInfo> => {
    const name = nameOf(request);
    const document = stringField(bodyObject(request.body), 'document', MAX_DOCUMENT_CHARS);
    await requireActions(ctx, session, request, 'admin:CreatePolicy');
    await iam.replacePolicy(name, document);
    changed(session, request, 'policy changed', { policy: name });
    const p = iam.getPolicy(name);
    return { ...policySummary(iam, p), document: p.document };
  }));

  app.delete('/api/v1/policies/:name', withSession(ctx, {}, async (session, request, reply) => {
    const name = nameOf(request);
    await requireActions(ctx, session, request, 'admin:DeletePolicy');
    await iam.deletePolicy(name);
    changed(session, request, 'policy removed', { policy: name });
    return reply.code(204).send();
  }));
}
