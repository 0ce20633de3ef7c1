import { isIPv4, isIPv6 } from 'node:net';

/**
 * Slows down password and secret-key guessing. Failures are counted per
 * access key (someone guessing one account's secret from many machines) and
 * per source address (one machine guessing many accounts); past a threshold
 * each one holds the key or address back for twice as long as the last.
 * In memory only: a restart forgets, which costs an attacker a restart of
 * our process, not a way around the counting.
 *
 * The caller asks `check` before verifying a credential, refuses while it
 * says throttled (S3 SlowDown, with Retry-After), and reports the outcome
 * with `recordFailure` / `recordSuccess`.
 */

export interface ThrottleEvent {
  /** When it happened, by the throttle's clock (ms since the epoch). */
  time: number;
  /** The access key tried, when the request named one. */
  accessKey?: string;
  address: string;
  /** Failures counted so far for what is held back (`by`), or the larger of the two counts when nothing is. */
  failures: number;
  /** How long this failure holds back further attempts; 0 while under the threshold. */
  delayMs: number;
  by?: 'accessKey' | 'address';
}

export interface AuthThrottleOptions {
  /** Failures before throttling starts (default 5). */
  threshold?: number;
  /** Failures are forgotten after this long without one, not counting time spent held back (default 1 min). */
  windowMs?: number;
  /** The first hold-back; it doubles with each further failure (default 1 s). */
  baseDelayMs?: number;
  /** The longest hold-back (default 15 min). */
  maxDelayMs?: number;
  /** Entries kept per table (keys, addresses), oldest evicted first, so an attacker cycling names cannot exhaust memory (default 10,000). */
  maxEntries?: number;
  /** IPv6 addresses are counted per prefix of this length (default 64, a typical subnet): one host has a /64 to cycle through. 128 counts each. */
  ipv6PrefixBits?: number;
  now?: () => number;
  /** Called when a failure starts or extends a hold-back. */
  onThrottle?: (e: ThrottleEvent) => void;
}

export type ThrottleCheck = { throttled: false } | { throttled: true; retryAfterMs: number; by: 'accessKey' | 'address' };

interface Entry {
  failures: number;
  lastFailure: number;
  /** 0 when never held back. */
  blockedUntil: number;
}

/** Failures kept for `recent` (the console's list). */
const EVENTS_KEPT = 200;
/**
 * When a table is full, a held-back entry at the old end is moved to the new
 * end instead of evicted, at most this many times per insertion: a flood of
 * fresh names then cannot free the one key under attack, and a table full of
 * held-back entries still evicts in bounded time.
 */
const EVICTION_SECOND_CHANCES = 16;

function positive(name: string, value: number, integer = false): number {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) throw new RangeError(`AuthThrottle ${name} must be a positive ${integer ? 'integer' : 'number'}, not ${value}`);
  return value;
}

export class AuthThrottle {
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxEntries: number;
  private readonly ipv6PrefixBits: number;
  private readonly now: () => number;
  private readonly onThrottle: ((e: ThrottleEvent) => void) | undefined;
  private readonly keys = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();
  /** A ring: `nextEvent` is where the next one goes. */
  private readonly events: ThrottleEvent[] = [];
  private nextEvent = 0;

  constructor(opts: AuthThrottleOptions = {}) {
    this.threshold = positive('threshold', opts.threshold ?? 5, true);
    this.windowMs = positive('windowMs', opts.windowMs ?? 60_000);
    this.baseDelayMs = positive('baseDelayMs', opts.baseDelayMs ?? 1000);
    this.maxDelayMs = positive('maxDelayMs', opts.maxDelayMs ?? 15 * 60_000);
    this.maxEntries = positive('maxEntries', opts.maxEntries ?? 10_000, true);
    this.ipv6PrefixBits = opts.ipv6PrefixBits ?? 64;
    if (!Number.isInteger(this.ipv6PrefixBits) || this.ipv6PrefixBits < 0 || this.ipv6PrefixBits > 128) throw new RangeError(`AuthThrottle ipv6PrefixBits must be 0 to 128, not ${this.ipv6PrefixBits}`);
    this.now = opts.now ?? Date.now;
    this.onThrottle = opts.onThrottle;
  }

  check(accessKey: string | undefined, address: string): ThrottleCheck {
    const now = this.now();
    const key = accessKey === undefined ? undefined : this.live(this.keys, accessKey, now);
    const addr = this.live(this.addresses, addressBucket(address, this.ipv6PrefixBits), now);
    const keyWait = key ? key.blockedUntil - now : 0;
    const addrWait = addr ? addr.blockedUntil - now : 0;
    if (keyWait <= 0 && addrWait <= 0) return { throttled: false };
    // Both may be held back: name the longer wait, so a client that honours it is not refused again at once.
    return keyWait >= addrWait ? { throttled: true, retryAfterMs: keyWait, by: 'accessKey' } : { throttled: true, retryAfterMs: addrWait, by: 'address' };
  }

  recordFailure(accessKey: string | undefined, address: string): void {
    const now = this.now();
    const addr = this.fail(this.addresses, addressBucket(address, this.ipv6PrefixBits), now);
    const key = accessKey === undefined ? undefined : this.fail(this.keys, accessKey, now);
    const byKey = key !== undefined && key.delay > 0 && key.delay >= addr.delay;
    const by = byKey ? 'accessKey' : addr.delay > 0 ? 'address' : undefined;
    const event: ThrottleEvent = {
      time: now,
      ...(accessKey === undefined ? {} : { accessKey }),
      address,
      failures: by === 'accessKey' ? key!.failures : by === 'address' ? addr.failures : Math.max(addr.failures, key?.failures ?? 0),
      delayMs: Math.max(addr.delay, key?.delay ?? 0),
      ...(by ? { by } : {}),
    };
    this.remember(event);
    if (by && this.onThrottle) {
      try {
        this.onThrottle(event);
      } catch {
        // A listener (a log, the audit trail) failing must not turn a refused login into a server error.
      }
    }
  }

  /**
   * Forgets the key's failures: its owner got in. The address's are kept, or
   * a guesser holding one valid key could clear its address between guesses
   * at others.
   */
  recordSuccess(accessKey: string, _address: string): void {
    this.keys.delete(accessKey);
  }

  /** The latest failures, newest first, for the console's "recent failed logins and throttled keys". */
  recent(limit = 50): ThrottleEvent[] {
    const n = Math.min(Math.max(0, Math.floor(limit)), this.events.length);
    const out: ThrottleEvent[] = [];
    for (let i = 1; i <= n; i++) out.push({ ...this.events[(this.nextEvent - i + this.events.length) % this.events.length] });
    return out;
  }

  /** Entries held, per table (for tests and metrics). */
  get size(): { accessKeys: number; addresses: number } {
    return { accessKeys: this.keys.size, addresses: this.addresses.size };
  }

  /** The entry, unless its failures are old enough to forget (then it is dropped). */
  private live(table: Map<string, Entry>, id: string, now: number): Entry | undefined {
    const e = table.get(id);
    if (e && now - Math.max(e.lastFailure, e.blockedUntil) >= this.windowMs) {
      table.delete(id);
      return undefined;
    }
    return e;
  }

  private fail(table: Map<string, Entry>, id: string, now: number): { failures: number; delay: number } {
    const e = this.live(table, id, now) ?? { failures: 0, lastFailure: now, blockedUntil: 0 };
    e.failures++;
    e.lastFailure = now;
    const delay = this.delayFor(e.failures);
    // Never shortens a hold-back: a failure while held back only extends it.
    if (delay > 0) e.blockedUntil = Math.max(e.blockedUntil, now + delay);
    // Re-inserting moves it to the newest end: the Map's order is the eviction order.
    table.delete(id);
    table.set(id, e);
    this.evict(table, now);
    return { failures: e.failures, delay };
  }

  private delayFor(failures: number): number {
    if (failures < this.threshold) return 0;
    // The exponent is capped so the arithmetic stays finite; the cap on the delay applies long before.
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures - this.threshold, 60));
  }

  private evict(table: Map<string, Entry>, now: number): void {
    let chances = EVICTION_SECOND_CHANCES;
    while (table.size > this.maxEntries) {
      const [id, e] = table.entries().next().value!;
      table.delete(id);
      if (e.blockedUntil > now && chances-- > 0) table.set(id, e);
    }
  }

  private remember(event: ThrottleEvent): void {
    if (this.events.length < EVENTS_KEPT) this.events.push(event);
    else this.events[this.nextEvent] = event;
    this.nextEvent = (this.nextEvent + 1) % EVENTS_KEPT;
  }
}

/**
 * What failures from an address are counted under: IPv4 as is (also when
 * written IPv4-mapped, as a dual-stack socket reports it), IPv6 by its first
 * `ipv6PrefixBits` bits in one canonical spelling. Anything else (a Unix
 * socket's empty address) as is.
 */
export function addressBucket(address: string, ipv6PrefixBits = 64): string {
  const plain = address.replace(/%.*$/, '');
  if (!isIPv6(plain)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  const groups = expandIPv6(plain).map((g, i) => {
    const bits = ipv6PrefixBits - 16 * i;
    return bits >= 16 ? g : bits <= 0 ? 0 : g & (0xffff << (16 - bits)) & 0xffff;
  });
  const text = groups.map((g) => g.toString(16)).join(':');
  return ipv6PrefixBits >= 128 ? text : `${text}/${ipv6PrefixBits}`;
}

/** The eight 16-bit groups of a valid IPv6 address (zone already removed). */
function expandIPv6(address: string): number[] {
  let s = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  if (tail === undefined) return h.map((g) => parseInt(g, 16));
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
}
