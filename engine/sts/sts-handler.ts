import { GranaryError } from '../common/errors.js';
import type { S3Reply } from '../s3/context.js';
import type { ServicePostHandler, ServicePostRequest } from '../s3/s3-server.js';
import { assumeRole } from './assume-role.js';
import { getCallerIdentity } from './caller-identity.js';
import type { StsAction, StsDeps } from './sts-action.js';
import { StsError, stsWireError } from './sts-error.js';
import { stsErrorXml, stsReply, stsResultXml } from './sts-wire.js';
import { assumeRoleWithClientGrants, assumeRoleWithWebIdentity } from './web-identity.js';

export const STS_VERSION = '2011-06-15';

/** The flows other parts of the engine build (LDAP, certificates, the identity plugin) answer NotImplemented until registered. */
const notBuilt = (what: string): StsAction => ({
  unsigned: true,
  run: async () => {
    throw new GranaryError('NotImplemented', `${what} is not implemented by this server yet.`);
  },
});

export function defaultStsActions(): Map<string, StsAction> {
  return new Map<string, StsAction>([
    ['AssumeRole', assumeRole],
    ['GetCallerIdentity', getCallerIdentity],
    ['AssumeRoleWithWebIdentity', assumeRoleWithWebIdentity],
    ['AssumeRoleWithClientGrants', assumeRoleWithClientGrants],
    ['AssumeRoleWithLDAPIdentity', notBuilt('AssumeRoleWithLDAPIdentity')],
    ['AssumeRoleWithCertificate', notBuilt('AssumeRoleWithCertificate')],
    ['AssumeRoleWithCustomToken', notBuilt('AssumeRoleWithCustomToken')],
  ]);
}

export interface StsHandler {
  handle: ServicePostHandler;
  /** Whether a `POST /` form is an STS request (by its Action). */
  isSts(form: URLSearchParams): boolean;
  /**
   * Unsigned STS requests the S3 port hands over: every STS action, so that
   * those needing a signature are refused here, in STS's own XML; only the
   * actions marked `unsigned` (they carry their own proof) go further.
   */
  acceptsUnsigned(form: URLSearchParams): boolean;
}

/**
 * The AWS STS query API (Version 2011-06-15) on the S3 port. `actions` may
 * replace or add flows (federation registers LDAP, certificates …).
 */
export function createStsHandler(deps: StsDeps, actions: Map<string, StsAction> = defaultStsActions()): StsHandler {
  const handle = async (req: ServicePostRequest): Promise<S3Reply> => {
    try {
      const name = req.form.get('Action');
      if (!name) throw new StsError('MissingAction', 'The request names no Action.');
      const action = actions.get(name);
      const version = req.form.get('Version');
      if (!action || (version !== null && version !== STS_VERSION)) {
        throw new StsError('InvalidAction', `Could not find operation ${name.slice(0, 64)} for version ${(version ?? STS_VERSION).slice(0, 16)}.`);
      }
      if (!action.unsigned && req.identity.type === 'anonymous') throw new GranaryError('AccessDenied', `${name} must be signed with AWS Signature Version 4.`);
      const result = await action.run({ deps, form: req.form, identity: req.identity, requestId: req.requestId, sourceAddress: req.sourceAddress, ...(req.clientCertificate ? { clientCertificate: req.clientCertificate } : {}) });
      return stsReply(200, stsResultXml(name, result, req.requestId), req.requestId);
    } catch (err) {
      const wire = stsWireError(err, deps.log);
      return stsReply(wire.status, stsErrorXml(wire, req.requestId), req.requestId);
    }
  };
  return {
    handle,
    isSts: (form) => actions.has(form.get('Action') ?? ''),
    acceptsUnsigned: (form) => actions.has(form.get('Action') ?? ''),
  };
}
