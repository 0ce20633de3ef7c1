import { GranaryError } from '../common/errors.js';
import { DEFAULT_TOKEN_LIFETIME_MS } from '../metrics/metrics-token.js';
import type { AdminRoute } from './admin-routes.js';

/**
 * `POST prometheus-token` `{ "expiry"?: ISO 8601 }`: a bearer token for
 * scraping `/granary/v1/metrics`, made for the caller's own access key (so
 * it stops working when that key is removed, disabled or loses
 * admin:Prometheus). A year by default, as MinIO's.
 */
export const PROMETHEUS_TOKEN_ROUTE: AdminRoute = {
  method: 'POST',
  path: 'prometheus-token',
  action: () => 'admin:Prometheus',
  run: async ({ deps, identity, json }) => {
    if (!deps.metricsTokens) throw new GranaryError('NotImplemented', 'This server does not serve metrics.');
    if (identity.type === 'anonymous') throw new GranaryError('AccessDenied');
    const body = json();
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GranaryError('InvalidInput', 'The request body must be a JSON object.');
    const expiry = (body as Record<string, unknown>).expiry;
    if (expiry !== undefined && typeof expiry !== 'string') throw new GranaryError('InvalidInput', 'expiry must be an ISO 8601 date.');
    const at = expiry === undefined ? new Date(Date.now() + DEFAULT_TOKEN_LIFETIME_MS) : new Date(expiry);
    if (Number.isNaN(at.getTime())) throw new GranaryError('InvalidInput', `expiry ${JSON.stringify(expiry)} is not an ISO 8601 date.`);
    return deps.metricsTokens.issue(identity.accessKey, at);
  },
};
