import type { IamService } from '../iam-service.js';
import type { LdapDirectory } from './ldap-directory.js';

export interface LdapSyncReport {
  /** Directory users with active sessions that were looked up. */
  users: number;
  /** Sessions revoked because their user left the directory, was disabled, or their groups changed. */
  revokedSessions: number;
  /** Service accounts removed because their LDAP parent left the directory or was disabled. */
  removedServiceAccounts: number;
  durationMs: number;
}

export interface LdapSyncStats {
  successes: number;
  failures: number;
  revokedSessions: number;
  removedServiceAccounts: number;
  lastDurationMs?: number;
  /** Epoch ms of the last successful run. */
  lastSuccess?: number;
  lastError?: string;
}

type Iam = Pick<IamService, 'listSessions' | 'revokeSessions' | 'listServiceAccounts' | 'deleteServiceAccount'>;

export interface LdapSyncOptions {
  /** Sessions this issuer made are the LDAP ones (engine/sts's LDAP_ISSUER). */
  issuer: string;
  /** 0: no timer, runs only when asked. */
  intervalMs: number;
  /** Revocations and failures, for the audit log. */
  report?: (event: string, details: Record<string, unknown>) => void;
  log?: (line: string) => void;
}

/**
 * The periodic LDAP sync (MinIO's): every active LDAP session's user is
 * looked up again; a user gone from the directory or disabled loses all
 * their sessions and service accounts, and a session whose user's groups
 * changed is revoked (its policies came from the old groups: the user logs in
 * again to get the new ones). A directory that cannot be reached revokes
 * nothing: the run counts as a failure.
 */
export class LdapSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<LdapSyncReport> | undefined;
  private readonly counts: LdapSyncStats = { successes: 0, failures: 0, revokedSessions: 0, removedServiceAccounts: 0 };

  constructor(private readonly iam: Iam, private readonly directory: LdapDirectory, private readonly opts: LdapSyncOptions) {}

  start(): void {
    if (this.opts.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.run().catch(() => undefined);
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One run now; a run already under way is joined, not doubled. */
  run(): Promise<LdapSyncReport> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  stats(): LdapSyncStats {
    return { ...this.counts };
  }

  private async runOnce(): Promise<LdapSyncReport> {
    const started = Date.now();
    try {
      const sessions = this.iam.listSessions().filter((s) => s.issuer === this.opts.issuer && s.status === 'active' && s.expiry > started && s.roleSessionName !== undefined);
      const byName = new Map<string, typeof sessions>();
      for (const s of sessions) byName.set(s.roleSessionName!, [...(byName.get(s.roleSessionName!) ?? []), s]);
      const now = await this.directory.lookupUsers([...byName.keys()]);
      const revoke: string[] = [];
      const goneDns = new Set<string>();
      for (const [name, list] of byName) {
        const user = now.get(name);
        for (const s of list) {
          if (!user || user.dn !== s.parent) {
            goneDns.add(s.parent);
            revoke.push(s.accessKey);
          } else if (!sameGroups(user.groups, s.groups ?? [])) {
            revoke.push(s.accessKey);
          }
        }
      }
      const revokedSessions = revoke.length ? await this.iam.revokeSessions(revoke) : 0;
      let removedServiceAccounts = 0;
      for (const dn of goneDns) {
        for (const sa of this.iam.listServiceAccounts(dn)) {
          await this.iam.deleteServiceAccount(sa.accessKey);
          removedServiceAccounts++;
        }
      }
      const report = { users: byName.size, revokedSessions, removedServiceAccounts, durationMs: Date.now() - started };
      this.counts.successes++;
      this.counts.revokedSessions += revokedSessions;
      this.counts.removedServiceAccounts += removedServiceAccounts;
      this.counts.lastDurationMs = report.durationMs;
      this.counts.lastSuccess = Date.now();
      if (revokedSessions || removedServiceAccounts) {
        this.opts.report?.('ldap sync revoked credentials', { revokedSessions, removedServiceAccounts, removedUsers: [...goneDns] });
      }
      return report;
    } catch (err) {
      this.counts.failures++;
      this.counts.lastDurationMs = Date.now() - started;
      this.counts.lastError = (err as Error).message;
      this.opts.report?.('ldap sync failed', { error: (err as Error).message });
      this.opts.log?.(`LDAP sync failed: ${(err as Error).message}`);
      throw err;
    }
  }
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((g, i) => g === y[i]);
}
