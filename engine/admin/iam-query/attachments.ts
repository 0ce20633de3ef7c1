import type { Operation } from './operation.js';
import { paginate } from './pagination.js';
import { required, underPathPrefix } from './params.js';
import { attachedPolicies, policyFromArn } from './policy-catalog.js';
import { members } from './wire.js';

/** Attaching managed policies to users and groups; one admin action for all changes, as MinIO has. */
export const attachmentOperations: Record<string, Operation> = {
  AttachUserPolicy: {
    adminAction: 'admin:AttachUserOrGroupPolicy',
    async run(call) {
      const user = required(call.form, 'UserName');
      const policy = policyFromArn(call);
      await call.iam.attachPolicies({ user }, [policy.name]);
      return undefined;
    },
  },

  DetachUserPolicy: {
    adminAction: 'admin:AttachUserOrGroupPolicy',
    async run(call) {
      const user = required(call.form, 'UserName');
      const policy = policyFromArn(call);
      await call.iam.detachPolicies({ user }, [policy.name]);
      return undefined;
    },
  },

  ListAttachedUserPolicies: {
    adminAction: 'admin:ListUserPolicies',
    async run(call) {
      const user = call.iam.getUser(required(call.form, 'UserName'));
      return listAttached(call.form, attachedPolicies(call, user.policies));
    },
  },

  AttachGroupPolicy: {
    adminAction: 'admin:AttachUserOrGroupPolicy',
    async run(call) {
      const group = required(call.form, 'GroupName');
      const policy = policyFromArn(call);
      await call.iam.attachPolicies({ group }, [policy.name]);
      return undefined;
    },
  },

  DetachGroupPolicy: {
    adminAction: 'admin:AttachUserOrGroupPolicy',
    async run(call) {
      const group = required(call.form, 'GroupName');
      const policy = policyFromArn(call);
      await call.iam.detachPolicies({ group }, [policy.name]);
      return undefined;
    },
  },

  ListAttachedGroupPolicies: {
    adminAction: 'admin:ListUserPolicies',
    async run(call) {
      const group = call.iam.getGroup(required(call.form, 'GroupName'));
      return listAttached(call.form, attachedPolicies(call, group.policies));
    },
  },
};

function listAttached(form: URLSearchParams, attached: { PolicyName: string; PolicyArn: string }[]): Record<string, unknown> {
  const page = paginate(form, underPathPrefix(form) ? attached : [], (a) => a.PolicyName);
  return { AttachedPolicies: members(page.items), ...page.fields };
}
