import { GranaryError } from '../../common/errors.js';
import type { Operation } from './operation.js';
import { paginate } from './pagination.js';
import { required } from './params.js';
import { encodedDocument } from './shapes.js';
import { members } from './wire.js';

/** Inline user policies: named documents kept on the user record, changed with the attach action. */
export const inlinePolicyOperations: Record<string, Operation> = {
  PutUserPolicy: {
    adminAction: 'admin:AttachUserOrGroupPolicy',
    async run(call) {
      const user = required(call.form, 'UserName');
      const name = required(call.form, 'PolicyName');
      const document = required(call.form, 'PolicyDocument');
      // The user first: "no such user" is the answer that helps, even when the document is also bad.
      call.iam.getUser(user);
      await call.iam.putUserPolicy(user, name, document);
      return undefined;
    },
  },

  GetUserPolicy: {
    adminAction: 'admin:GetPolicy',
    async run(call) {
      const user = call.iam.getUser(required(call.form, 'UserName'));
      const name = required(call.form, 'PolicyName');
      const document = Object.hasOwn(user.inline, name) ? user.inline[name] : undefined;
      if (document === undefined) throw new GranaryError('NoSuchEntity', `The user policy with name ${name} cannot be found.`);
      return { UserName: user.name, PolicyName: name, PolicyDocument: encodedDocument(document) };
    },
  },

  DeleteUserPolicy: {
    adminAction: 'admin:AttachUserOrGroupPolicy',
    async run(call) {
      const user = required(call.form, 'UserName');
      const name = required(call.form, 'PolicyName');
      // Own keys only: a name such as "constructor" must not find Object.prototype's.
      if (!Object.hasOwn(call.iam.getUser(user).inline, name)) throw new GranaryError('NoSuchEntity', `The user policy with name ${name} cannot be found.`);
      await call.iam.deleteUserPolicy(user, name);
      return undefined;
    },
  },

  ListUserPolicies: {
    adminAction: 'admin:ListUserPolicies',
    async run(call) {
      const user = call.iam.getUser(required(call.form, 'UserName'));
      const page = paginate(call.form, Object.keys(user.inline), (n) => n);
      return { PolicyNames: members(page.items), ...page.fields };
    },
  },
};
