import { GranaryError } from '../../common/errors.js';
import { isoDate } from './arns.js';
import type { Operation } from './operation.js';
import { paginate } from './pagination.js';
import { booleanParam, enumParam, refuseUnsupported, required, rootPathOnly, underPathPrefix } from './params.js';
import { attachmentCount, policyEntries, policyFromArn } from './policy-catalog.js';
import { encodedDocument, ONLY_VERSION, policyShape } from './shapes.js';
import { members } from './wire.js';

/**
 * Managed policies. Built-ins (consoleAdmin, readwrite, …) are the "AWS"
 * scope with arn:aws:iam::aws:policy/<name>; created ones are "Local".
 * Granary keeps one version of each, v1.
 */
export const managedPolicyOperations: Record<string, Operation> = {
  CreatePolicy: {
    adminAction: 'admin:CreatePolicy',
    async run(call) {
      const name = required(call.form, 'PolicyName');
      const document = required(call.form, 'PolicyDocument');
      rootPathOnly(call.form);
      refuseUnsupported(call.form, ['Description', 'Tags']);
      const rec = await call.iam.createPolicy(name, document);
      return { Policy: policyShape(call, { name: rec.name, builtin: false, document: rec.document, created: rec.created }, 0) };
    },
  },

  GetPolicy: {
    adminAction: 'admin:GetPolicy',
    async run(call) {
      const p = policyFromArn(call);
      return { Policy: policyShape(call, p, attachmentCount(call, p.name)) };
    },
  },

  GetPolicyVersion: {
    adminAction: 'admin:GetPolicy',
    async run(call) {
      const p = policyFromArn(call);
      const version = required(call.form, 'VersionId');
      if (version !== ONLY_VERSION) throw new GranaryError('NoSuchEntity', `Policy ${p.name} has no version ${JSON.stringify(version)}; Granary keeps one version of each policy, ${ONLY_VERSION}.`);
      return { PolicyVersion: { Document: encodedDocument(p.document), VersionId: ONLY_VERSION, IsDefaultVersion: true, CreateDate: isoDate(p.created ?? call.startedAt) } };
    },
  },

  // Terraform lists versions before DeletePolicy, to delete the non-default ones first: there are none.
  ListPolicyVersions: {
    adminAction: 'admin:GetPolicy',
    async run(call) {
      const p = policyFromArn(call);
      const page = paginate(call.form, [ONLY_VERSION], (v) => v);
      const versions = page.items.map((v) => ({ VersionId: v, IsDefaultVersion: true, CreateDate: isoDate(p.created ?? call.startedAt) }));
      return { Versions: members(versions), ...page.fields };
    },
  },

  ListPolicies: {
    adminAction: 'admin:ListUserPolicies',
    async run(call) {
      const scope = enumParam(call.form, 'Scope', ['All', 'AWS', 'Local'] as const, 'All');
      const onlyAttached = booleanParam(call.form, 'OnlyAttached');
      // Nothing is ever a permissions boundary here.
      const usage = enumParam(call.form, 'PolicyUsageFilter', ['PermissionsPolicy', 'PermissionsBoundary'] as const, 'PermissionsPolicy');
      const listed = usage === 'PermissionsBoundary' || !underPathPrefix(call.form) ? [] : [...policyEntries(call).values()];
      const rows = listed
        .filter((p) => scope === 'All' || (scope === 'AWS') === p.builtin)
        .map((p) => ({ p, attachments: attachmentCount(call, p.name) }))
        .filter((r) => !onlyAttached || r.attachments > 0);
      const page = paginate(call.form, rows, (r) => r.p.name);
      return { Policies: members(page.items.map((r) => policyShape(call, r.p, r.attachments))), ...page.fields };
    },
  },

  DeletePolicy: {
    adminAction: 'admin:DeletePolicy',
    async run(call) {
      await call.iam.deletePolicy(policyFromArn(call).name);
      return undefined;
    },
  },
};
