import type { LdapLoginRequest, LoginRequest, SessionInfo } from '../../../engine/api/console/types';
import { ApiError } from './api/api-error';
import { api } from './api/client';
import { onSessionExpired, setCsrfToken } from './api/http';
import { uploads } from './uploads.svelte';

/**
 * Who is logged in. `info` is null on the login page; `checked` turns true
 * once the first `GET /session` has answered (until then nothing is drawn,
 * so a reload does not flash the login form).
 */
class SessionState {
  info = $state<SessionInfo | null>(null);
  checked = $state(false);
  /** Shown on the login page: why the user is there (expired, logged out). */
  notice = $state<string | null>(null);

  constructor() {
    onSessionExpired((err) => this.expired(err.message));
  }

  async load(): Promise<void> {
    try {
      this.adopt(await api.session());
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'SessionExpired')) this.notice = err instanceof ApiError ? err.message : String(err);
      this.adopt(null);
    } finally {
      this.checked = true;
    }
  }

  /** Resolves to the session, or throws (MfaRequired asks for the second step). */
  async login(req: LoginRequest): Promise<SessionInfo> {
    const info = await api.login(req);
    this.notice = null;
    this.adopt(info);
    return info;
  }

  /** A directory (LDAP) login: the session acts through the temporary credentials the server issued for it. */
  async ldapLogin(req: LdapLoginRequest): Promise<SessionInfo> {
    const info = await api.ldapLogin(req);
    this.notice = null;
    this.adopt(info);
    return info;
  }

  async logout(): Promise<void> {
    try {
      await api.logout();
    } catch {
      // Already gone on the server: the outcome is the same.
    }
    this.adopt(null);
    this.notice = 'You have logged out.';
  }

  /** A call answered with a new session (password change, MFA set up): its cookie is set already; adopt its CSRF token. */
  replace(info: SessionInfo): void {
    this.adopt(info);
  }

  /** Any call answered 401 SessionExpired: back to the login page, saying why. */
  expired(reason?: string): void {
    if (!this.info) return;
    this.adopt(null);
    this.notice = reason && !/log in again/i.test(reason) ? `Your session has ended: ${reason} Log in again to continue.` : 'Your session has ended. Log in again to continue.';
  }

  private adopt(info: SessionInfo | null): void {
    if (!info || info.identity.accessKey !== this.info?.identity.accessKey) uploads.reset();
    this.info = info;
    setCsrfToken(info?.csrfToken);
  }
}

export const session = new SessionState();
