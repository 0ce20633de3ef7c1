import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileDurably } from '../common/durable-file.js';

/**
 * The drives `granary admin drive replace` swapped, kept in the config
 * directory. The drive list comes from the command line (a service file, a
 * NAS's settings), which the replacement cannot edit: a restart that still
 * names OLD is given NEW in its place, with a line saying so, rather than
 * starting degraded on a dead path.
 */
const FILE = 'drive-replacements.json';

export interface DriveReplacement {
  old: string;
  new: string;
  at: string;
}

export function readDriveReplacements(configDir: string): DriveReplacement[] {
  const file = join(configDir, FILE);
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((r) => r && typeof r.old === 'string' && typeof r.new === 'string' && typeof r.at === 'string')) {
    throw new Error(`${file} is not a list of drive replacements; fix or remove it`);
  }
  return parsed as DriveReplacement[];
}

/** Durable before `admin drive replace` answers: a power cut must not bring back a start that opens OLD, the lost drive, in NEW's place. */
export async function recordDriveReplacement(configDir: string, oldPath: string, newPath: string): Promise<void> {
  // A path replaced again later (OLD -> NEW -> NEWER) keeps one entry per step; applying follows the chain.
  const list = readDriveReplacements(configDir).filter((r) => r.old !== oldPath);
  list.push({ old: oldPath, new: newPath, at: new Date().toISOString() });
  await mkdir(configDir, { recursive: true });
  const file = join(configDir, FILE);
  await writeFileDurably(file, JSON.stringify(list, null, 2) + '\n');
}

/** The drive list to open: each replaced path given on the command line becomes its replacement. */
export function applyDriveReplacements(configDir: string, drives: string[], log: (line: string) => void): string[] {
  const replacements = readDriveReplacements(configDir);
  if (replacements.length === 0) return drives;
  const next = new Map(replacements.map((r) => [r.old, r]));
  const given = new Set(drives.map((d) => resolve(d)));
  return drives.map((d) => {
    let path = resolve(d);
    const seen = new Set<string>();
    for (let r = next.get(path); r && !seen.has(r.old); r = next.get(path)) {
      seen.add(r.old);
      if (given.has(r.new)) {
        throw new Error(`drive ${d} was replaced by ${r.new} (granary admin drive replace, ${r.at}), which is also given: name only ${r.new}`);
      }
      log(`drive ${path} was replaced by ${r.new} on ${r.at}: using ${r.new} (put ${r.new} in place of ${d} in the drive list to silence this)`);
      path = r.new;
    }
    return path;
  });
}
