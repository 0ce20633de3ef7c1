import { sessionDuration } from './duration.js';
import { credentialsXml, type IssuedCredentials } from './session-issuer.js';
import type { FederatedSubject } from './oidc-providers.js';
import { sessionPolicy } from './session-policy.js';
import { StsError } from './sts-error.js';
import { refuseUnsupported } from './unsupported-params.js';
import type { StsAction, StsCall, StsDeps } from './sts-action.js';

/** JWTs past this size are refused before parsing (AWS allows 20,000 characters for WebIdentityToken). */
const MAX_TOKEN_CHARS = 20_000;

/** AssumeRoleWithWebIdentity: an OpenID Connect ID token (WebIdentityToken) for temporary credentials. */
export const assumeRoleWithWebIdentity: StsAction = {
  unsigned: true,
  run: (call) => federated(call, 'WebIdentityToken', 'id'),
};

/**
 * AssumeRoleWithClientGrants (MinIO's): an OAuth2 access token (Token) for
 * temporary credentials. Only JWT access tokens are understood; opaque tokens
 * would need the provider's introspection endpoint, which is not built
 * (such a token is refused as InvalidIdentityToken).
 */
export const assumeRoleWithClientGrants: StsAction = {
  unsigned: true,
  run: (call) => federated(call, 'Token', 'access'),
};

/** The session of a verified OpenID subject: shared by the STS actions and the console's "Log in with …". */
export function webIdentitySession(deps: Pick<StsDeps, 'issuer'>, who: FederatedSubject, opts: { durationSeconds: number; sessionPolicy?: string; roleSessionName?: string }): Promise<IssuedCredentials> {
  return deps.issuer.issue({
    parentType: 'federated',
    parent: who.subject,
    policies: who.policies,
    ...(opts.sessionPolicy !== undefined ? { sessionPolicy: opts.sessionPolicy } : {}),
    issuer: `oidc:${who.provider.name}`,
    ...(opts.roleSessionName ? { roleSessionName: opts.roleSessionName.slice(0, 64) } : {}),
    durationSeconds: opts.durationSeconds,
  });
}

async function federated({ deps, form }: StsCall, param: 'WebIdentityToken' | 'Token', kind: 'id' | 'access'): Promise<Record<string, unknown>> {
  refuseUnsupported(form);
  const token = form.get(param);
  if (!token) throw new StsError('MissingParameter', `The request must contain the parameter ${param}.`);
  if (token.length > MAX_TOKEN_CHARS) throw new StsError('ValidationError', `1 validation error detected: Value at '${param}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TOKEN_CHARS}.`);
  const durationSeconds = sessionDuration(form.get('DurationSeconds'), deps.limits);
  const policy = sessionPolicy(form.get('Policy'));
  const who = await deps.oidc.verify(token, form.get('RoleArn'), kind).catch((err: unknown) => {
    deps.audit?.({ api: 'sts', refused: kind === 'id' ? 'AssumeRoleWithWebIdentity' : 'AssumeRoleWithClientGrants', reason: (err as Error).message });
    throw err;
  });
  const roleSessionName = form.get('RoleSessionName') || undefined;
  const creds = await webIdentitySession(deps, who, { durationSeconds, ...(policy !== undefined ? { sessionPolicy: policy } : {}), ...(roleSessionName ? { roleSessionName } : {}) });
  const role = who.provider.roleArn ?? `arn:granary:iam:::role/${who.provider.name}`;
  const common = {
    Credentials: credentialsXml(creds),
    AssumedRoleUser: { Arn: `${role.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/${roleSessionName ?? who.subject}`, AssumedRoleId: `${creds.accessKeyId}:${roleSessionName ?? who.subject}` },
  };
  return kind === 'id'
    ? { ...common, SubjectFromWebIdentityToken: who.subject, Audience: who.audience, Provider: who.issuerUrl }
    : { ...common, SubjectFromToken: who.subject, Audience: who.audience, Provider: who.issuerUrl };
}
