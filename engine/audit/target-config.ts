import { isAbsolute, normalize } from 'node:path';
import { GranaryError } from '../common/errors.js';
import type { TargetType } from './audit-target.js';

export const MiB = 1024 * 1024;

export interface FileTargetConfig {
  type: 'file';
  /** Relative to `<config dir>/audit/`: an admin call must not be able to write anywhere the engine can. */
  path: string;
  maxSizeBytes: number;
  maxFiles: number;
}

export interface ConsoleTargetConfig {
  type: 'console';
}

export interface WebhookTargetConfig {
  type: 'webhook';
  url: string;
  /** Entries per POST at most. */
  batchSize: number;
  /** Entries waiting (memory and disk) at most; past it the oldest are dropped. */
  queueLimit: number;
  /** The longest wait between retries (the backoff doubles from 250 ms up to it). */
  retryMaxMs: number;
  /** Whether a bearer token is stored for it (the token itself lives in IAM's sealed secrets). */
  hasAuthToken: boolean;
}

export type TargetConfig = FileTargetConfig | ConsoleTargetConfig | WebhookTargetConfig;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function checkTargetName(name: string): void {
  if (!NAME.test(name)) throw new GranaryError('InvalidInput', 'A target name is 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit.');
}

/** A PUT body made into a full configuration; the webhook's auth token is returned apart, to be stored sealed. */
export function parseTargetConfig(body: unknown): { config: TargetConfig; authToken?: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GranaryError('InvalidInput', 'The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const type = b.type as TargetType;
  if (type === 'console') return { config: { type } };
  if (type === 'file') {
    const path = str(b, 'path') ?? 'audit.log';
    const clean = normalize(path);
    if (isAbsolute(clean) || clean.startsWith('..') || clean === '.') throw new GranaryError('InvalidInput', 'path must be a file name relative to the audit folder of the config directory.');
    return { config: { type, path: clean, maxSizeBytes: int(b, 'maxSizeBytes', 10 * MiB, 4096), maxFiles: int(b, 'maxFiles', 5, 1) } };
  }
  if (type === 'webhook') {
    const url = str(b, 'url');
    let parsed: URL | undefined;
    try {
      parsed = url === undefined ? undefined : new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new GranaryError('InvalidInput', 'url must be an http:// or https:// URL.');
    const authToken = str(b, 'authToken');
    return {
      config: { type, url: parsed.href, batchSize: int(b, 'batchSize', 100, 1), queueLimit: int(b, 'queueLimit', 100_000, 1), retryMaxMs: int(b, 'retryMaxMs', 30_000, 100), hasAuthToken: authToken !== undefined },
      ...(authToken !== undefined ? { authToken } : {}),
    };
  }
  throw new GranaryError('InvalidInput', 'type must be "file", "console" or "webhook".');
}

function str(b: Record<string, unknown>, name: string): string | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new GranaryError('InvalidInput', `${name} must be a non-empty string.`);
  return v;
}

function int(b: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const v = b[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new GranaryError('InvalidInput', `${name} must be an integer of at least ${min}.`);
  return v;
}
