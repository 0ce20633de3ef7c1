import { parseAccessAnswer } from './access-answer.js';
import { JsonPoster, PluginCallError, type PluginEndpoint, type PluginFailure } from './json-post.js';

/**
 * `opa`: OPA (MinIO's policy plugin) decides every request of every signed
 * identity except root, in place of the internal policies; root, the
 * deployment's owner, keeps its rights, so a dead or wrong OPA cannot lock
 * out the one account that can fix the configuration.
 * `override`: the access-management plugin decides every signed request,
 * root's included (what MinIO does with a plugin configured: its owner is
 * asked about too). Anonymous requests are never sent: they are decided by
 * bucket policies, as in MinIO.
 */
export type AccessPluginMode = 'opa' | 'override';

export interface AccessPluginConfig extends PluginEndpoint {
  mode: AccessPluginMode;
}

/** The `input` document the plugin receives (MinIO's policy.Args, in its JSON names). */
export interface AccessQuestion {
  account: string;
  groups: string[];
  action: string;
  bucket: string;
  object: string;
  conditions: Record<string, string[]>;
  owner: boolean;
  claims: Record<string, unknown>;
}

export interface AccessPluginStats {
  mode: AccessPluginMode;
  allowed: number;
  denied: number;
  /** Questions that got no usable answer (and were denied), by reason. */
  failures: Record<PluginFailure, number>;
}

export interface AccessPluginFailure {
  reason: PluginFailure;
  error: string;
  url: string;
  action: string;
  account: string;
}

export interface PluginVerdict {
  allowed: boolean;
  reason: string;
}

/**
 * The external decision maker. Every question is one POST; a timeout, a
 * refused connection, a non-2xx status or an answer that is neither shape
 * denies the request (fails closed), is counted and is reported through
 * `onFailure` (the audit log's security entries).
 */
export class AccessPlugin {
  private readonly poster: JsonPoster;
  private readonly counts: AccessPluginStats;

  constructor(readonly config: AccessPluginConfig, private readonly onFailure: (f: AccessPluginFailure) => void = () => undefined) {
    this.poster = new JsonPoster(config);
    this.counts = { mode: config.mode, allowed: 0, denied: 0, failures: { timeout: 0, network: 0, status: 0, malformed: 0 } };
  }

  /** Whether root's requests are asked about too. */
  get decidesForRoot(): boolean {
    return this.config.mode === 'override';
  }

  async decide(q: AccessQuestion): Promise<PluginVerdict> {
    const name = this.config.mode === 'opa' ? 'OPA' : 'the access plugin';
    let allowed: boolean | undefined;
    try {
      allowed = parseAccessAnswer(await this.poster.post({ input: q }));
      if (allowed === undefined) throw new PluginCallError('malformed', 'the answer has neither a boolean `result` nor a boolean `result.allow`');
    } catch (err) {
      const e = err instanceof PluginCallError ? err : new PluginCallError('network', String(err));
      this.counts.failures[e.reason]++;
      this.onFailure({ reason: e.reason, error: e.message, url: this.poster.url, action: q.action, account: q.account });
      return { allowed: false, reason: `Denied: ${name} gave no usable answer (${e.reason}: ${e.message}).` };
    }
    if (allowed) this.counts.allowed++;
    else this.counts.denied++;
    return { allowed, reason: allowed ? `Allowed by ${name}.` : `Denied by ${name}.` };
  }

  stats(): AccessPluginStats {
    return { ...this.counts, failures: { ...this.counts.failures } };
  }

  close(): void {
    this.poster.close();
  }
}
