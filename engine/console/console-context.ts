import type { FastifyRequest } from 'fastify';
import type { TlsOptions } from 'node:tls';
import type { RequestObserver } from '../common/request-record.js';
import type { AuthThrottle } from '../iam/auth-throttle.js';
import type { Authorizer } from '../iam/authorizer.js';
import type { IamService } from '../iam/iam-service.js';
import type { Identity } from '../iam/identity.js';
import type { ObjectLayer, StorageInfo } from '../object/object-layer.js';
import type { SessionKeys } from './session-key.js';
import type { SessionRegistry } from './session-registry.js';
import type { SessionClaims, SessionTokens } from './session-token.js';
import type { HealthSource } from '../api/health/types.js';
import type { TrafficSummary } from '../api/traffic/types.js';
import type { IssuedCredentials } from '../sts/session-issuer.js';
import type { LdapSessionRequest } from '../sts/ldap-identity.js';
import type { OidcCodeFlow } from '../sts/oidc-code-flow.js';

/** What the console server is built from (the engine's composition root passes these). */
export interface ConsoleDeps {
  iam: IamService;
  authorizer: Authorizer;
  /** Shared with the S3 and admin APIs: failures on any of them count together. */
  throttle: AuthThrottle;
  log: (line: string) => void;
  /** Logins, logouts, MFA and setting changes, for the audit log. */
  audit?: (entry: Record<string, unknown>) => void;
  /** Told about every answered /api/v1 request (audit, metrics). */
  observe?: RequestObserver;
  /** The built renderer (default `dist/renderer` of this checkout or install). */
  staticRoot?: string;
  /** Shown by authenticator apps beside the account name. */
  issuer?: string;
  /** HTTPS for the console port (engine/tls); plain HTTP when absent. */
  tls?: ConsoleTls;
  /** The admin API's allowed networks (`--admin-allow`), shown read-only. */
  adminNetworks?: { cidrs: string[]; allows(address: string): boolean };
  /** Sets root's secret key (password change); absent when root comes from the environment. */
  setRootSecret?: (secretKey: string) => Promise<void>;
  /** The drives' objects and the S3 port, for the storage, bucket and object screens; those calls answer StorageNotReady when absent. */
  storage?: ConsoleStorage;
  /** Drive and set health, and its event stream (engine/health); the health routes answer NotImplemented without it. */
  health?: HealthSource;
  /** The S3 requests of the last hour (engine/metrics TrafficWindow); `GET /traffic` answers NotImplemented without it. */
  traffic?: () => TrafficSummary;
  /** Directory logins: binds and issues the STS session AssumeRoleWithLDAPIdentity would (engine/sts ldapSession); absent without LDAP. */
  ldapLogin?: (req: LdapSessionRequest) => Promise<IssuedCredentials>;
  /** "Log in with <provider>": the authorization code flow (engine/sts OidcCodeFlow). */
  oidcLogin?: Pick<OidcCodeFlow, 'providers' | 'start' | 'finish'>;
}

/** What the storage, bucket and object routes need of the engine. */
export interface ConsoleStorage {
  layer: ObjectLayer & { storageInfo(): Promise<StorageInfo> };
  /** Where S3 clients reach this engine: share links are presigned for it. */
  s3: S3Endpoint;
}

export interface S3Endpoint {
  /** `http://127.0.0.1:9000`: the S3 port's scheme, address and port. */
  url: string;
  region: string;
  /** Listening on every interface (0.0.0.0, ::): links then name the host the browser reached the console by. */
  anyInterface: boolean;
}

/** What the console needs of the engine's TLS: server options and the local CA it offers for download. */
export interface ConsoleTls {
  serverOptions(): TlsOptions;
  localCaPem(): string | undefined;
}

/** What the routes share. */
export interface ConsoleContext {
  deps: ConsoleDeps;
  keys: SessionKeys;
  tokens: SessionTokens;
  sessions: SessionRegistry;
  audit: (entry: Record<string, unknown>) => void;
}

/** A request's live session, its identity resolved afresh from IAM. */
export interface ConsoleSession {
  claims: SessionClaims;
  /** Temporary (STS) credentials only behind a federated (LDAP, OIDC) login, which issued them: never typed in. */
  identity: Exclude<Identity, { type: 'anonymous' }>;
  /** Fingerprint of the secret it logged in with (credential-tag.ts). */
  credential: string;
  /** True when only MFA enrolment is allowed (the token's scope, or MFA required and not set up). */
  restricted: boolean;
}

/** The source address failures are counted under: the socket's, never a header a client could forge. */
export function sourceAddress(request: FastifyRequest): string {
  return (request.raw.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/** Whether the request reached us over TLS (then cookies are Secure). */
export function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}
