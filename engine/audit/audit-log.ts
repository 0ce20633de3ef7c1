import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GranaryError } from '../common/errors.js';
import type { RequestRecord } from '../common/request-record.js';
import { currentRequestScope } from '../common/request-scope.js';
import type { AuditEntry, ChangeActor, ChangeEntry } from './audit-entry.js';
import type { AuditTarget, TargetStats } from './audit-target.js';
import { ConsoleTarget } from './console-target.js';
import { FileTarget } from './file-target.js';
import { redactRecord } from './redact.js';
import { checkTargetName, parseTargetConfig, type TargetConfig } from './target-config.js';
import { WebhookTarget } from './webhook-target.js';

/** Where target configurations are kept (IAM settings: persisted, on the drives' snapshot too). */
export const TARGETS_SETTING = 'audit.targets';
const tokenSecret = (name: string) => `audit.webhook.${name}.token`;

/** What the audit log needs of IAM: its settings and sealed secrets. */
export interface AuditSettings {
  setting(name: string): string | undefined;
  setSetting(name: string, value: string | null): Promise<void>;
  secret(name: string): string | undefined;
  setSecret(name: string, value: string): Promise<void>;
}

/** One changed IAM entity as IamService reports it (secrets still in). */
export interface IamChangeReport {
  kind: string;
  id: string;
  before: unknown;
  after: unknown;
}

export interface AuditLogOptions {
  settings: AuditSettings;
  configDir: string;
  /** The server log: security events are written there as `audit:` lines whatever the targets. */
  log: (line: string) => void;
}

/**
 * The audit trail: one entry per answered request (every API), per IAM or
 * configuration change, and per security event, handed to each configured
 * target. Handing over only queues, so a slow or dead target never slows a
 * request; targets deliver on their own.
 */
export class AuditLog {
  private readonly targets = new Map<string, { config: TargetConfig; target: AuditTarget }>();

  private constructor(private readonly opts: AuditLogOptions) {}

  static open(opts: AuditLogOptions): AuditLog {
    const log = new AuditLog(opts);
    let saved: Record<string, TargetConfig> = {};
    try {
      saved = JSON.parse(opts.settings.setting(TARGETS_SETTING) ?? '{}') as Record<string, TargetConfig>;
    } catch {
      opts.log(`audit: the saved ${TARGETS_SETTING} setting is not JSON; starting without audit targets`);
    }
    for (const [name, config] of Object.entries(saved)) {
      try {
        log.targets.set(name, { config, target: log.build(name, config) });
      } catch (err) {
        opts.log(`audit: target ${name} could not be started: ${(err as Error).message}`);
      }
    }
    return log;
  }

  /** Delivery counts per target: what `GET /granary/v1/audit` and the metrics show. */
  targetStats(): TargetStats[] {
    return [...this.targets.values()].map(({ target }) => target.stats());
  }

  request(record: RequestRecord): void {
    if (this.targets.size === 0) return;
    this.emit({ kind: 'request', entryId: newEntryId(), ...record, time: record.time.toISOString() });
  }

  /** An IAM commit; the actor is the request in whose scope it ran, when any. */
  change(changes: IamChangeReport[]): void {
    if (this.targets.size === 0) return;
    const scope = currentRequestScope();
    const f = scope?.fields() ?? {};
    const actor: ChangeActor = {
      ...(scope ? { requestId: scope.requestId } : {}),
      ...pick(f, ['api', 'operation', 'accessKey', 'parentUser', 'identityType', 'remoteAddress']),
    };
    const entry: ChangeEntry = {
      kind: 'change',
      entryId: newEntryId(),
      time: new Date().toISOString(),
      ...actor,
      changes: changes.map((c) => ({ entity: c.kind, id: c.id, before: redactRecord(c.kind, c.before), after: redactRecord(c.kind, c.after) })),
    };
    this.emit(entry);
  }

  /** Refusals, throttling, logins: also written to the server log, so they are seen with no target configured. */
  security(event: string, details: Record<string, unknown> = {}): void {
    const entry: AuditEntry = { ...details, kind: 'security', entryId: newEntryId(), time: new Date().toISOString(), event };
    this.opts.log(`audit: ${event} ${JSON.stringify(entry)}`);
    this.emit(entry);
  }

  /** The APIs' own notes (refusals, console logins and MFA, root rotation), named by what they hold. */
  report(note: Record<string, unknown>): void {
    const event = typeof note.event === 'string' ? note.event : note.refused !== undefined ? `${String(note.api ?? 'request')} refused: ${String(note.refused)}` : note.error !== undefined ? 'internal error' : typeof note.change === 'string' ? note.change : 'event';
    const { event: _e, ...details } = note;
    this.security(event, details);
  }

  // ---- run-time configuration (admin API) --------------------------------------

  /** The configurations, auth tokens left out. */
  listTargets(): ({ name: string } & TargetConfig & { stats: TargetStats })[] {
    return [...this.targets.entries()].map(([name, { config, target }]) => ({ name, ...config, stats: target.stats() }));
  }

  async putTarget(name: string, body: unknown): Promise<{ name: string } & TargetConfig> {
    checkTargetName(name);
    const { config, authToken } = parseTargetConfig(body);
    const previous = this.targets.get(name);
    // A webhook keeps its token when a new configuration does not name one.
    if (config.type === 'webhook' && authToken === undefined && previous?.config.type === 'webhook' && previous.config.hasAuthToken) config.hasAuthToken = true;
    if (authToken !== undefined) await this.opts.settings.setSecret(tokenSecret(name), authToken);
    // Saved first: a configuration the engine cannot start is still seen (and reported) at the next start.
    await this.save({ ...this.savedConfigs(), [name]: config });
    await previous?.target.close();
    this.targets.delete(name);
    if (previous && (previous.config.type !== config.type || (previous.config.type === 'webhook' && config.type === 'webhook' && previous.config.url !== config.url))) await this.discardSpool(name);
    const target = this.build(name, config);
    this.targets.set(name, { config, target });
    return { name, ...config };
  }

  /** Removes the target; a webhook's undelivered entries are discarded with it. */
  async deleteTarget(name: string): Promise<void> {
    const current = this.targets.get(name);
    const saved = this.savedConfigs();
    if (!current && !saved[name]) throw new GranaryError('NoSuchEntity', `There is no audit target ${JSON.stringify(name)}.`);
    delete saved[name];
    await this.save(saved);
    if (this.opts.settings.secret(tokenSecret(name))) await this.opts.settings.setSecret(tokenSecret(name), '');
    await current?.target.close();
    this.targets.delete(name);
    await this.discardSpool(name);
  }

  /** Delivers or spills what is queued; called on shutdown after the servers stopped answering. */
  async close(): Promise<void> {
    await Promise.all([...this.targets.values()].map(({ target }) => target.close()));
    this.targets.clear();
  }

  private emit(entry: AuditEntry): void {
    for (const { target } of this.targets.values()) {
      try {
        target.enqueue(entry);
      } catch (err) {
        // A target failing must never fail the request that is being audited.
        this.opts.log(`audit: target ${target.name} refused an entry: ${(err as Error).message}`);
      }
    }
  }

  private build(name: string, config: TargetConfig): AuditTarget {
    switch (config.type) {
      case 'console':
        return new ConsoleTarget(name);
      case 'file':
        return new FileTarget(name, { path: join(this.opts.configDir, 'audit', config.path), maxSizeBytes: config.maxSizeBytes, maxFiles: config.maxFiles });
      case 'webhook': {
        const token = this.opts.settings.secret(tokenSecret(name));
        return new WebhookTarget(name, {
          url: config.url,
          ...(token ? { authToken: token } : {}),
          spoolDir: this.spoolDir(name),
          batchSize: config.batchSize,
          queueLimit: config.queueLimit,
          retryMaxMs: config.retryMaxMs,
        });
      }
    }
  }

  private spoolDir(name: string): string {
    return join(this.opts.configDir, 'audit-queue', name);
  }

  private async discardSpool(name: string): Promise<void> {
    await rm(this.spoolDir(name), { recursive: true, force: true });
  }

  private savedConfigs(): Record<string, TargetConfig> {
    try {
      return JSON.parse(this.opts.settings.setting(TARGETS_SETTING) ?? '{}') as Record<string, TargetConfig>;
    } catch {
      return {};
    }
  }

  private save(configs: Record<string, TargetConfig>): Promise<void> {
    return this.opts.settings.setSetting(TARGETS_SETTING, Object.keys(configs).length ? JSON.stringify(configs) : null);
  }
}

function newEntryId(): string {
  return randomBytes(12).toString('hex');
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
