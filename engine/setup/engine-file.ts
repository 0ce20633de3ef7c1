import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurablySync } from '../common/durable-file.js';

/**
 * `engine.json` in the config directory: the drives and parity chosen by the
 * setup wizard, so later starts need no drive arguments. The drives
 * themselves stay self-describing (format.json); this only says where they are.
 */
export interface EngineFile {
  version: 1;
  drives: string[];
  parity: number;
  /** ISO 8601. */
  savedAt: string;
}

export class EngineFileError extends Error {
  override name = 'EngineFileError';
}

const FILE = 'engine.json';

export function engineFilePath(configDir: string): string {
  return join(configDir, FILE);
}

/** The saved drive list, or undefined when setup has not saved one. A damaged file is an error, never "set up again". */
export function readEngineFile(configDir: string): EngineFile | undefined {
  const file = engineFilePath(configDir);
  if (!existsSync(file)) return undefined;
  let body: Partial<EngineFile>;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new EngineFileError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const drivesOk = Array.isArray(body.drives) && body.drives.length > 0 && body.drives.every((d) => typeof d === 'string' && d !== '');
  if (body.version !== 1 || !drivesOk || !Number.isInteger(body.parity)) throw new EngineFileError(`${file} is not a Granary engine file (version 1 with drives and parity)`);
  return body as EngineFile;
}

/** Durable (common/durable-file): a crash leaves the old file or the new one. */
export function saveEngineFile(configDir: string, drives: string[], parity: number): EngineFile {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const body: EngineFile = { version: 1, drives, parity, savedAt: new Date().toISOString() };
  const file = engineFilePath(configDir);
  writeFileDurablySync(file, JSON.stringify(body, null, 2) + '\n');
  return body;
}
