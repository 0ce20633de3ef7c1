import { ConsoleError } from './console-error.js';

/** The JSON body as an object; fastify has parsed it (JSON only) and bounded its size. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConsoleError('InvalidRequest', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, name: string, maxLength: number): string {
  const v = body[name];
  if (typeof v !== 'string' || v.length === 0) throw new ConsoleError('InvalidRequest', `${name} must be a non-empty string.`);
  if (v.length > maxLength) throw new ConsoleError('InvalidRequest', `${name} may be at most ${maxLength} characters.`);
  return v;
}

export function optionalStringField(body: Record<string, unknown>, name: string, maxLength: number): string | undefined {
  if (body[name] === undefined || body[name] === null || body[name] === '') return undefined;
  return stringField(body, name, maxLength);
}

export function booleanField(body: Record<string, unknown>, name: string): boolean {
  const v = body[name];
  if (typeof v !== 'boolean') throw new ConsoleError('InvalidRequest', `${name} must be true or false.`);
  return v;
}

/** A list of short strings (names), at most `maxItems`. */
export function stringListField(body: Record<string, unknown>, name: string, maxItems = 100): string[] {
  const v = body[name];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 128)) throw new ConsoleError('InvalidRequest', `${name} must be a list of names.`);
  if (v.length > maxItems) throw new ConsoleError('InvalidRequest', `${name} may list at most ${maxItems} names.`);
  return [...new Set(v as string[])];
}

export function optionalStringListField(body: Record<string, unknown>, name: string, maxItems = 100): string[] | undefined {
  return body[name] === undefined ? undefined : stringListField(body, name, maxItems);
}

/** 'enabled' or 'disabled'. */
export function statusField(body: Record<string, unknown>, name = 'status'): 'enabled' | 'disabled' {
  const v = body[name];
  if (v !== 'enabled' && v !== 'disabled') throw new ConsoleError('InvalidRequest', `${name} must be "enabled" or "disabled".`);
  return v;
}
