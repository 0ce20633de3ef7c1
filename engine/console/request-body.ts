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
