/**
 * The S3 traffic the console's dashboard draws (`GET /api/v1/traffic`), as
 * engine/metrics/traffic-window.ts counts it. Types only (engine/api).
 */

/** The coarse operation classes the dashboard draws: reads, writes, listings, deletes, and the rest. */
export type TrafficClass = 'GET' | 'PUT' | 'LIST' | 'DELETE' | 'other';

export interface TrafficCounts {
  requests: number;
  /** Answers with a 4xx or 5xx status. */
  errors: number;
  bytesIn: number;
  bytesOut: number;
}

export interface TrafficMinute extends TrafficCounts {
  /** ISO 8601: the start of the minute. */
  start: string;
  byClass: Record<TrafficClass, TrafficCounts>;
}

/** `GET /api/v1/traffic` (admin:ServerInfo): the S3 requests of the last hour, minute by minute. */
export interface TrafficSummary {
  /** Oldest first, one per minute, the current (unfinished) minute last; minutes without requests are zeros. */
  minutes: TrafficMinute[];
  /** The sums of `minutes`. */
  total: TrafficCounts;
  totalByClass: Record<TrafficClass, TrafficCounts>;
  /** ISO 8601. */
  measuredAt: string;
}
