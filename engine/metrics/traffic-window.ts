import type { RequestRecord } from '../common/request-record.js';
import type { TrafficClass, TrafficCounts, TrafficMinute, TrafficSummary } from '../api/traffic/types.js';

const MINUTE_MS = 60_000;
export const TRAFFIC_MINUTES = 60;
const CLASSES: TrafficClass[] = ['GET', 'PUT', 'LIST', 'DELETE', 'other'];

/** The class of an S3 operation name (GetObject, ListObjectsV2, UploadPart …). */
export function trafficClass(operation: string): TrafficClass {
  if (/^List/.test(operation)) return 'LIST';
  if (/^Delete/.test(operation)) return 'DELETE';
  if (/^(Get|Head)/.test(operation)) return 'GET';
  if (/^(Put|Post|Copy|Create|UploadPart|CompleteMultipartUpload$)/.test(operation)) return 'PUT';
  return 'other';
}

function zero(): TrafficCounts {
  return { requests: 0, errors: 0, bytesIn: 0, bytesOut: 0 };
}

function zeroByClass(): Record<TrafficClass, TrafficCounts> {
  return { GET: zero(), PUT: zero(), LIST: zero(), DELETE: zero(), other: zero() };
}

function add(into: TrafficCounts, from: TrafficCounts): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
}

/**
 * The dashboard's "recent S3 traffic": S3 request records summed per minute
 * for the last hour, in memory (a restart starts from nothing; Prometheus
 * keeps the long history). Fed by the same RequestObserver as audit and
 * metrics; other APIs (admin, console, IAM, STS) are not S3 traffic.
 */
export class TrafficWindow {
  /** By minute number (epoch ms / 60 000); at most TRAFFIC_MINUTES kept. */
  private readonly minutes = new Map<number, Record<TrafficClass, TrafficCounts>>();

  constructor(private readonly now: () => number = Date.now) {}

  observe(r: RequestRecord): void {
    if (r.api !== 's3') return;
    const minute = Math.floor(r.time.getTime() / MINUTE_MS);
    const current = Math.floor(this.now() / MINUTE_MS);
    if (minute <= current - TRAFFIC_MINUTES || minute > current) return;
    let slot = this.minutes.get(minute);
    if (!slot) {
      slot = zeroByClass();
      this.minutes.set(minute, slot);
      this.prune(current);
    }
    add(slot[trafficClass(r.operation)], { requests: 1, errors: r.status >= 400 ? 1 : 0, bytesIn: r.bytesIn, bytesOut: r.bytesOut });
  }

  summary(): TrafficSummary {
    const nowMs = this.now();
    const current = Math.floor(nowMs / MINUTE_MS);
    this.prune(current);
    const total = zero();
    const totalByClass = zeroByClass();
    const minutes: TrafficMinute[] = [];
    for (let m = current - TRAFFIC_MINUTES + 1; m <= current; m++) {
      const byClass = this.minutes.get(m) ?? zeroByClass();
      const counts = zero();
      for (const c of CLASSES) {
        add(counts, byClass[c]);
        add(totalByClass[c], byClass[c]);
      }
      add(total, counts);
      minutes.push({ start: new Date(m * MINUTE_MS).toISOString(), ...counts, byClass: structuredClone(byClass) });
    }
    return { minutes, total, totalByClass, measuredAt: new Date(nowMs).toISOString() };
  }

  private prune(current: number): void {
    for (const m of this.minutes.keys()) if (m <= current - TRAFFIC_MINUTES) this.minutes.delete(m);
  }
}
