import type { IamService } from '../iam/iam-service.js';
import type { Identity } from '../iam/identity.js';
import type { DurationLimits } from './duration.js';
import type { OidcProviders } from './oidc-providers.js';
import type { SessionIssuer } from './session-issuer.js';

/** What every STS action may use. */
export interface StsDeps {
  iam: IamService;
  issuer: SessionIssuer;
  limits: DurationLimits;
  oidc: OidcProviders;
  log?: (line: string) => void;
  /** Sessions issued and refused, for the audit log. */
  audit?: (entry: Record<string, unknown>) => void;
}

export interface StsCall {
  deps: StsDeps;
  form: URLSearchParams;
  /** Anonymous for the unsigned actions. */
  identity: Identity;
  requestId: string;
  sourceAddress: string;
  /** DER of the verified TLS client certificate, when the connection presented one. */
  clientCertificate?: Buffer;
}

/**
 * One STS action. `unsigned` ones carry their own proof (an ID token, a
 * directory password …) and are let through the S3 port without SigV4;
 * the others need a signed request.
 */
export interface StsAction {
  unsigned: boolean;
  run(call: StsCall): Promise<Record<string, unknown>>;
}
