import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RequestRecord, RequestObserver } from '../common/request-record.js';

/**
 * What is learnt about a request while it is served (its operation, who
 * signed it, what the authorizer said), kept beside the raw request until
 * the response is sent; then one RequestRecord goes to the observer.
 */
type Note = Partial<RequestRecord> & { start: number; socketIn: number; socketOut: number; decisions: NonNullable<RequestRecord['decisions']> };

const notes = new WeakMap<IncomingMessage, Note>();

/**
 * Where the previous request on a kept-alive connection ended reading. By
 * onRequest the headers (and a small body) are already read from the socket,
 * so this request's bytes are counted from there, not from now.
 */
const readUpTo = new WeakMap<Socket, number>();

export function beginNote(raw: IncomingMessage): void {
  notes.set(raw, { time: new Date(), start: performance.now(), socketIn: readUpTo.get(raw.socket) ?? 0, socketOut: raw.socket.bytesWritten, decisions: [] });
}

/** Adds what a layer learnt; later calls overwrite earlier fields. */
export function annotate(raw: IncomingMessage, fields: Partial<Omit<RequestRecord, 'decisions'>>): void {
  const note = notes.get(raw);
  if (note) Object.assign(note, fields);
}

export function noteDecision(raw: IncomingMessage, decision: NonNullable<RequestRecord['decisions']>[number]): void {
  notes.get(raw)?.decisions.push(decision);
}

/**
 * Bytes are counted on the socket (headers included), which costs nothing
 * per chunk and counts what the network carried.
 */
export function finishNote(raw: IncomingMessage, status: number, requestId: string, observe: RequestObserver): void {
  const note = notes.get(raw);
  if (!note) return;
  notes.delete(raw);
  readUpTo.set(raw.socket, raw.socket.bytesRead);
  const { start, socketIn, socketOut, decisions, ...fields } = note;
  observe({
    api: 's3',
    operation: 'Unknown',
    ...fields,
    time: note.time ?? new Date(),
    requestId,
    status,
    durationMs: performance.now() - start,
    bytesIn: Math.max(0, raw.socket.bytesRead - socketIn),
    bytesOut: Math.max(0, raw.socket.bytesWritten - socketOut),
    remoteAddress: (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    ...(raw.headers['user-agent'] ? { userAgent: raw.headers['user-agent'] } : {}),
    ...(decisions.length ? { decisions } : {}),
  });
}

/** What is noted so far about a request still being served (for its request scope). */
export function peekNote(raw: IncomingMessage): Partial<RequestRecord> {
  const remoteAddress = (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const note = notes.get(raw);
  if (!note) return { remoteAddress };
  const { start: _start, socketIn: _in, socketOut: _out, decisions: _d, ...fields } = note;
  return { ...fields, remoteAddress };
}
