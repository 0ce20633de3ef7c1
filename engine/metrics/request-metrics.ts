import { Counter, Histogram, type Registry } from 'prom-client';
import type { RequestRecord } from '../common/request-record.js';

/**
 * Distinct operation labels kept per API. Operations are a closed list for
 * S3 and the admin routes, but a request no route matches carries its raw
 * path: past this many, new names are counted as `Other`, so a client
 * cannot grow the exposition (and the server's memory) without bound.
 */
const MAX_OPERATIONS_PER_API = 200;

/** Seconds; from a cached small GET to a multi-gigabyte upload. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

type Labels = 'api' | 'operation';

/** Counts, latencies and bytes of answered requests, from the RequestRecord every API reports. */
export class RequestMetrics {
  private readonly requests: Counter<Labels | 'status'>;
  private readonly duration: Histogram<Labels>;
  private readonly bytesIn: Counter<Labels>;
  private readonly bytesOut: Counter<Labels>;
  private readonly operations = new Map<string, Set<string>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({ name: 'granary_requests_total', help: 'Answered requests by API, operation and HTTP status.', labelNames: ['api', 'operation', 'status'], registers });
    this.duration = new Histogram({ name: 'granary_request_duration_seconds', help: 'Time from a request\'s arrival to its response being sent, by API and operation.', labelNames: ['api', 'operation'], buckets: LATENCY_BUCKETS, registers });
    this.bytesIn = new Counter({ name: 'granary_bytes_received_total', help: 'Bytes received on the socket (headers included), by API and operation.', labelNames: ['api', 'operation'], registers });
    this.bytesOut = new Counter({ name: 'granary_bytes_sent_total', help: 'Bytes sent on the socket (headers included), by API and operation.', labelNames: ['api', 'operation'], registers });
  }

  observe(r: RequestRecord): void {
    const labels = { api: r.api, operation: this.operationLabel(r.api, r.operation) };
    this.requests.inc({ ...labels, status: String(r.status) });
    this.duration.observe(labels, r.durationMs / 1000);
    if (r.bytesIn > 0) this.bytesIn.inc(labels, r.bytesIn);
    if (r.bytesOut > 0) this.bytesOut.inc(labels, r.bytesOut);
  }

  private operationLabel(api: string, operation: string): string {
    let seen = this.operations.get(api);
    if (!seen) this.operations.set(api, (seen = new Set()));
    if (seen.has(operation)) return operation;
    if (seen.size >= MAX_OPERATIONS_PER_API) return 'Other';
    seen.add(operation);
    return operation;
  }
}
