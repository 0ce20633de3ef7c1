import type { RequestRecord } from '../common/request-record.js';

/**
 * One line of the audit trail. Every entry carries a unique `entryId`, so a
 * receiver can drop the duplicates at-least-once delivery may bring (a
 * webhook batch acknowledged just before a crash is sent again).
 */
export type AuditEntry = RequestEntry | ChangeEntry | SecurityEntry;

/** An answered request on any API: the RequestRecord, its time as ISO 8601. */
export type RequestEntry = { kind: 'request'; entryId: string; time: string } & Omit<RequestRecord, 'time'>;

/** Who made a change: the request it was made by, when there was one (none for engine-internal changes). */
export interface ChangeActor {
  requestId?: string;
  api?: RequestRecord['api'];
  operation?: string;
  accessKey?: string;
  parentUser?: string;
  identityType?: string;
  remoteAddress?: string;
}

/** One IAM or configuration commit: every entity it touched, before → after, secrets redacted. */
export interface ChangeEntry extends ChangeActor {
  kind: 'change';
  entryId: string;
  time: string;
  changes: { entity: string; id: string; before: unknown; after: unknown }[];
}

/** Throttled authentications, refused admin networks, console logins …: what the server log also shows. */
export interface SecurityEntry {
  kind: 'security';
  entryId: string;
  time: string;
  event: string;
  [detail: string]: unknown;
}
