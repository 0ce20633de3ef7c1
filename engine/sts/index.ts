/** STS: temporary credentials (engine/sts). See sts-handler.ts for the query API, session-issuer.ts for the credentials. */
export { createStsHandler, defaultStsActions, type StsHandler } from './sts-handler.js';
export type { StsAction, StsCall, StsDeps } from './sts-action.js';
export { SessionIssuer, type SessionGrant, type IssuedCredentials } from './session-issuer.js';
export { OidcProviders } from './oidc-providers.js';
export { DEFAULT_MAX_DURATION, DEFAULT_MIN_DURATION, MAX_MAX_DURATION, parseDurationText, type DurationLimits } from './duration.js';
