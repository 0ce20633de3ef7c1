import { GranaryError } from '../../common/errors.js';
import type { Authorizer } from '../../iam/authorizer.js';
import type { IamService } from '../../iam/iam-service.js';
import type { S3Reply } from '../../s3/context.js';
import type { ServicePostHandler, ServicePostRequest } from '../../s3/s3-server.js';
import { DEFAULT_ACCOUNT_ID } from './arns.js';
import { callerArn, callerOf } from './caller.js';
import { IamQueryError, wireError } from './errors.js';
import type { IamCall } from './operation.js';
import { OPERATIONS } from './operations.js';
import { errorXml, IAM_NAMESPACE, resultXml, STS_NAMESPACE, xmlReply } from './wire.js';

export interface IamQueryDeps {
  iam: IamService;
  authorizer: Authorizer;
  /** The account id in every ARN (`arn:aws:iam::<accountId>:user/…`); twelve digits, default 000000000000. */
  accountId?: string;
  /** Where unexpected failures are described; the client only sees InternalError. */
  log?: (line: string) => void;
  /** The admin API's allowed networks: IAM management is an admin API too. */
  networks?: { allows(address: string): boolean; cidrs: string[] };
  /** Refusals, for the audit log. */
  audit?: (entry: Record<string, unknown>) => void;
}

/**
 * The AWS IAM query API (Version 2010-05-08) for `POST /` requests the S3
 * server has already verified (SigV4, service `iam`): the subset that
 * `aws iam`, boto3 and Terraform need to manage users, access keys, groups
 * and policies. Every action is first put to the authorizer as Granary's
 * admin action (see operations.ts); answers and errors are IAM's XML.
 */
export function createIamQueryHandler(deps: IamQueryDeps): ServicePostHandler {
  const accountId = deps.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId)) throw new TypeError(`The IAM account id must be twelve digits (got ${JSON.stringify(accountId)}).`);
  const startedAt = Date.now();

  return async (req: ServicePostRequest): Promise<S3Reply> => {
    try {
      if (deps.networks && !deps.networks.allows(req.sourceAddress)) {
        deps.audit?.({ api: 'iam', refused: 'network', address: req.sourceAddress });
        throw new GranaryError('AccessDenied', `IAM management does not answer requests from ${req.sourceAddress}; allowed networks: ${deps.networks.cidrs.join(', ')}.`);
      }
      if (req.service !== 'iam') throw new IamQueryError('InvalidAction', `Granary does not answer the ${req.service.toUpperCase()} query API here yet; only IAM.`);
      const action = req.form.get('Action');
      if (!action) throw new IamQueryError('InvalidAction', 'The request names no Action.');
      const op = OPERATIONS.get(action);
      if (!op) throw new IamQueryError('InvalidAction', `Could not find operation ${action} for version 2010-05-08 (Granary implements ${OPERATIONS.size} IAM actions).`);
      const call: IamCall = { iam: deps.iam, form: req.form, caller: callerOf(req.identity, deps.iam), accountId, startedAt };
      if (!op.selfService?.(call)) {
        const decision = await deps.authorizer.authorize(req.identity, { action: op.adminAction, conditions: { 'aws:sourceip': [req.sourceAddress] } });
        if (!decision.allowed) {
          throw new GranaryError('AccessDenied', `User: ${callerArn(call.caller, accountId)} is not authorized to perform: iam:${action} (Granary's ${op.adminAction}).`);
        }
      }
      return xmlReply(200, resultXml(action, await op.run(call), req.requestId), req.requestId);
    } catch (err) {
      const wire = wireError(err, deps.log);
      return xmlReply(wire.status, errorXml(wire, req.requestId, req.service === 'sts' ? STS_NAMESPACE : IAM_NAMESPACE), req.requestId);
    }
  };
}
