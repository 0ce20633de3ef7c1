import { randomBytes } from 'node:crypto';

/**
 * Request ids (`x-amz-request-id`): 16 upper-case hex digits, unique, not
 * secret. A random per-process prefix keeps ids of different runs apart and a
 * counter keeps them apart within a run, so each request costs an increment
 * rather than a call into the system's random source (a measurable share of a
 * small GET).
 */
const PREFIX = randomBytes(3).toString('hex').toUpperCase();
let counter = 0;

export function nextRequestId(): string {
  counter = (counter + 1) % 0x100_0000_0000;
  return PREFIX + counter.toString(16).toUpperCase().padStart(10, '0');
}
