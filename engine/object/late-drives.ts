import { markHealing, type Deployment } from '../erasure/deployment.js';
import type { ErasureSet } from '../erasure/erasure-set.js';
import { existsOnDrive } from '../drive/drive-looks.js';
import { readFormat, writeFormat, type FormatState } from '../drive/format.js';

/**
 * Drives the start could not place in a slot, looked at again once they
 * answer (by the heal watcher): drives whose format file could not be read,
 * and blank folders left unformatted because one of those might have been
 * the drive they would stand in for. Placing a drive only names its slot's
 * path; the watcher then opens it (ErasureObjectLayer.reopenDrive) and has
 * it healed.
 */
export interface LateDrives {
  deployment: Deployment;
  sets: ErasureSet[];
  /** Records why a placed drive is not open yet, for the health model. */
  offline(path: string, why: string): void;
}

export interface LatePlacement {
  /** Unread drives that answered with their format and took their own slot. */
  placed: string[];
  /** Blank folders formatted in place of a lost drive, with the healing marker. */
  formatted: { path: string; driveId: string }[];
}

/** Each slot's drive id, as the drives that opened hold them (not as a returning drive says). */
function slotIds(late: LateDrives, index: number): string[] {
  return late.sets[index].drives.find((d) => d)?.format.sets[index] ?? [];
}

/** A path's format file, read at most once a round: null when it did not answer. */
type FormatLook = (path: string) => Promise<FormatState | null>;

function formatLooks(ms: number): FormatLook {
  const seen = new Map<string, Promise<FormatState | null>>();
  return (path) => {
    let state = seen.get(path);
    if (!state) seen.set(path, (state = readFormat(path, ms).catch(() => null)));
    return state;
  };
}

/** A folder that is there without a format file; one that is gone altogether is an offline drive, not a blank one. */
async function isBlank(look: FormatLook, path: string, ms: number): Promise<boolean> {
  return (await look(path))?.kind === 'blank' && (await existsOnDrive(path, path, ms)) === true;
}

function unplacedUnread(late: LateDrives): string[] {
  const known = new Set(late.deployment.sets.flatMap((layout) => layout.paths));
  return [...late.deployment.unread.keys()].filter((p) => !known.has(p));
}

/**
 * An unread drive (or a deferred blank folder) whose format now answers,
 * with this deployment's id and the drive id of a slot still unknown, is
 * given that slot.
 */
async function placeUnread(late: LateDrives, look: FormatLook): Promise<string[]> {
  const placed: string[] = [];
  // A deferred blank folder may have had the lost disk put back in it.
  for (const path of [...unplacedUnread(late), ...late.deployment.deferredBlank]) {
    const state = await look(path);
    if (state?.kind !== 'formatted' || state.body.deploymentId !== late.deployment.deploymentId) continue;
    late.sets.forEach((_, index) => {
      const slot = slotIds(late, index).indexOf(state.body.driveId);
      const layout = late.deployment.sets[index];
      if (slot < 0 || layout.paths[slot] !== null) return;
      layout.paths[slot] = path;
      late.deployment.deferredBlank = late.deployment.deferredBlank.filter((p) => p !== path);
      late.offline(path, late.deployment.unread.get(path) ?? 'blank at start, its drive since put back');
      placed.push(path);
    });
  }
  return placed;
}

/**
 * Once every drive unread at start has answered, either with its own slot or
 * blank, no drive given can carry the ids of the slots still unknown: those
 * drives are lost, and the blank folders (deferred ones and unread ones that
 * came back blank) take their places, as a start with every drive answering
 * would have done. Until then nothing is formatted, so two folders can never
 * end up with one drive id.
 */
async function formatBlanks(late: LateDrives, look: FormatLook, ms: number): Promise<LatePlacement['formatted']> {
  // Looked at again: a folder that has since gained a format file (another disk mounted there) is not written over.
  const blanks: string[] = [];
  for (const path of late.deployment.deferredBlank) if (await isBlank(look, path, ms)) blanks.push(path);
  // A drive placed by elimination (the one unread, the one slot unknown) that comes back blank leaves its slot open again.
  for (const [index, layout] of late.deployment.sets.entries()) {
    for (const [slot, path] of layout.paths.entries()) {
      if (path === null || late.sets[index].drives[slot] || !late.deployment.unread.has(path)) continue;
      if (await isBlank(look, path, ms)) layout.paths[slot] = null;
    }
  }
  for (const path of unplacedUnread(late)) {
    if (!(await isBlank(look, path, ms))) return [];
    blanks.push(path);
  }
  const formatted: LatePlacement['formatted'] = [];
  for (const [index, layout] of late.deployment.sets.entries()) {
    const ids = slotIds(late, index);
    const ref = late.sets[index].drives.find((d) => d)?.format;
    if (!ref) continue;
    for (const [slot, path] of layout.paths.entries()) {
      if (path !== null || blanks.length === 0) continue;
      const blank = blanks.shift()!;
      try {
        await writeFormat(blank, { ...ref, driveId: ids[slot], createdAt: new Date().toISOString() }, ms);
        await markHealing(blank, ms);
      } catch {
        // The next round tries again, writing both.
        continue;
      }
      layout.paths[slot] = blank;
      late.deployment.deferredBlank = late.deployment.deferredBlank.filter((p) => p !== blank);
      late.offline(blank, `blank at start: formatted in place of lost drive ${ids[slot]}, not open yet`);
      formatted.push({ path: blank, driveId: ids[slot] });
    }
  }
  return formatted;
}

/** Whether any drive unread at start is not open yet: only then is there anything to place. */
function waiting(late: LateDrives): boolean {
  if (late.deployment.deferredBlank.length > 0) return true;
  const open = new Set(late.sets.flatMap((set) => set.drives.flatMap((d) => (d ? [d.root] : []))));
  return [...late.deployment.unread.keys()].some((p) => !open.has(p));
}

export async function placeLateDrives(late: LateDrives, ms: number): Promise<LatePlacement> {
  if (!waiting(late)) return { placed: [], formatted: [] };
  const look = formatLooks(ms);
  const placed = await placeUnread(late, look);
  return { placed, formatted: await formatBlanks(late, look, ms) };
}
