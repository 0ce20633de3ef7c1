export interface LiveSession {
  /** The access key. */
  sub: string;
  /** ms since the epoch. */
  expiresAt: number;
  /** Fingerprint of the secret key it logged in with: a changed secret ends the session. */
  credential: string;
}

/**
 * The sessions that are live, by token id (jti): a token is honoured only
 * while its id is here, so logging out revokes it at once even though the
 * token itself is good for an hour.
 *
 * In memory only: a restart of the engine logs everyone out. That is
 * acceptable for a console (log in again) and means nothing about sessions
 * is ever written to disk; keeping sessions across restarts would need the
 * revocations (or this table) persisted.
 */
export class SessionRegistry {
  /** By jti; Map order is issue order, so the oldest are first. */
  private readonly live = new Map<string, LiveSession>();

  constructor(
    /** Beyond this many live sessions the oldest is dropped: logins need valid credentials, but memory stays bounded regardless. */
    private readonly maxSessions = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(jti: string, session: LiveSession): void {
    this.sweep();
    this.live.set(jti, session);
    while (this.live.size > this.maxSessions) this.live.delete(this.live.keys().next().value!);
  }

  /** The session while it is live; undefined once expired, revoked or never issued here. */
  get(jti: string): LiveSession | undefined {
    const s = this.live.get(jti);
    if (s && s.expiresAt <= this.now()) {
      this.live.delete(jti);
      return undefined;
    }
    return s;
  }

  isLive(jti: string): boolean {
    return this.get(jti) !== undefined;
  }

  revoke(jti: string): void {
    this.live.delete(jti);
  }

  /** Every session of one access key (its user was removed, its MFA changed …). */
  revokeSubject(sub: string, except?: string): void {
    for (const [jti, s] of this.live) if (s.sub === sub && jti !== except) this.live.delete(jti);
  }

  get size(): number {
    return this.live.size;
  }

  /** Drops expired entries; sessions are issued in order and all last about as long, so expired ones gather at the front. */
  private sweep(): void {
    const now = this.now();
    for (const [jti, s] of this.live) {
      if (s.expiresAt > now) break;
      this.live.delete(jti);
    }
  }
}
