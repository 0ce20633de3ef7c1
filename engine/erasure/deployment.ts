import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { onDrive } from '../drive/drive-looks.js';
import { FORMAT_MAJOR, FORMAT_MINOR, META_DIR, readFormat, writeFormat, type FormatBody } from '../drive/format.js';

export const DEFAULT_BLOCK_SIZE = 1024 * 1024;
export const MAX_SET_SIZE = 16;

export interface SetLayout {
  /** Drive paths in slot order; null where the slot's drive is not among the paths given. */
  paths: (string | null)[];
  k: number;
  m: number;
}

export interface Deployment {
  deploymentId: string;
  blockSize: number;
  sets: SetLayout[];
  /** Blank drives formatted into the place of lost ones: they need healing. */
  replaced: string[];
  /** The drives were formatted by this start. */
  fresh: boolean;
  /** Drives whose format file could not be read at start (a disk that hangs or fails), by path: why. */
  unread: Map<string, string>;
  /** Blank drives left unformatted because a drive did not answer (it might be the one they would replace): engine/object/late-drives formats them once every drive answers. */
  deferredBlank: string[];
  warnings: string[];
}

export class DeploymentError extends Error {
  override name = 'DeploymentError';
}

/** Default parity by set size: 2–3 drives → 1, 4–5 → 2, 6–7 → 3, 8–16 → 4. */
export function defaultParity(setSize: number): number {
  if (setSize <= 3) return 1;
  if (setSize <= 5) return 2;
  if (setSize <= 7) return 3;
  return 4;
}

/** 2–16 drives form one set; more form equal sets of the largest size up to 16 that divides them. */
export function setSizeFor(drives: number): number {
  if (drives < 2) throw new DeploymentError(`Granary needs at least 2 drives; ${drives} given`);
  if (drives <= MAX_SET_SIZE) return drives;
  for (let s = MAX_SET_SIZE; s >= 4; s--) if (drives % s === 0) return s;
  throw new DeploymentError(`${drives} drives cannot be split into equal sets of 4 to ${MAX_SET_SIZE}; add or remove drives`);
}

/**
 * Reads every drive's format.json and decides the deployment: formats blank
 * drives on a first start, recognises drives by id whatever order or path they
 * come in, formats a blank drive into the place of a lost one, and refuses
 * drives of another deployment or with a tampered format file. Each drive
 * has `answerMs` to answer each look or write; one that does not is offline.
 */
export async function prepareDeployment(drivePaths: string[], opts: { parity?: number; blockSize?: number; answerMs: number }): Promise<Deployment> {
  const paths = drivePaths.map((p) => resolve(p));
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup) throw new DeploymentError(`drive ${dup} is given twice`);
  const setSize = setSizeFor(paths.length);

  // A drive that cannot even be looked at is offline: the set serves without it if quorum allows.
  const unread = new Map<string, string>();
  const looks = await Promise.all(paths.map(async (p) => {
    try {
      await onDrive(p, 'write', 'creating its folder', opts.answerMs, () => mkdir(p, { recursive: true }));
      return [{ path: p, state: await readFormat(p, opts.answerMs) }];
    } catch (err) {
      unread.set(p, (err as Error).message);
      return [];
    }
  }));
  const offline = [...unread].map(([p, why]) => `drive ${p} is offline: ${why}`);
  const states = looks.flat();
  const invalid = states.find((s) => s.state.kind === 'invalid');
  if (invalid && invalid.state.kind === 'invalid') throw new DeploymentError(`refusing drive ${invalid.path}: ${invalid.state.reason}`);

  const formatted = states.flatMap((s) => (s.state.kind === 'formatted' ? [{ path: s.path, body: s.state.body }] : []));
  const blank = states.filter((s) => s.state.kind === 'blank').map((s) => s.path);

  if (formatted.length === 0) {
    if (offline.length > 0) throw new DeploymentError(`cannot format a new deployment: ${offline.join('; ')}`);
    return formatFresh(paths, setSize, opts);
  }

  // The deployment most drives belong to is ours; any other is a foreign drive.
  const byDeployment = new Map<string, typeof formatted>();
  for (const f of formatted) byDeployment.set(f.body.deploymentId, [...(byDeployment.get(f.body.deploymentId) ?? []), f]);
  const ours = [...byDeployment.values()].sort((a, b) => b.length - a.length)[0];
  const ref = ours[0].body;
  const foreign = formatted.find((f) => f.body.deploymentId !== ref.deploymentId);
  if (foreign) {
    throw new DeploymentError(`refusing drive ${foreign.path}: it belongs to another Granary deployment (${foreign.body.deploymentId}, this one is ${ref.deploymentId})`);
  }
  const total = ref.sets.reduce((a, s) => a + s.length, 0);
  if (total !== paths.length) throw new DeploymentError(`this deployment has ${total} drives; ${paths.length} were given`);

  const pathOfId = new Map<string, string>();
  for (const f of formatted) {
    const other = pathOfId.get(f.body.driveId);
    if (other) throw new DeploymentError(`drives ${other} and ${f.path} carry the same drive id ${f.body.driveId} (a copied folder?)`);
    pathOfId.set(f.body.driveId, f.path);
  }

  const warnings: string[] = [...offline];
  if (opts.parity !== undefined && opts.parity !== ref.parity) {
    warnings.push(`--parity ${opts.parity} ignored: the drives were formatted with parity ${ref.parity}`);
  }
  const missingIds = ref.sets.flat().filter((id) => !pathOfId.has(id));
  const replaced: string[] = [];
  // A drive that did not answer may be the one a blank folder would stand in for: formatting now could give two drives one id.
  const toFormat = offline.length > 0 ? [] : blank;
  if (blank.length > 0 && offline.length > 0) {
    warnings.push(`blank drive${blank.length > 1 ? 's' : ''} ${blank.join(', ')} left unformatted while another drive does not answer: formatted in place of the lost drive${blank.length > 1 ? 's' : ''} once every drive answers`);
  }
  for (const [i, p] of toFormat.entries()) {
    const id = missingIds[i];
    try {
      await writeFormat(p, { ...ref, driveId: id, createdAt: new Date().toISOString() }, opts.answerMs);
      await markHealing(p, opts.answerMs);
    } catch (err) {
      // Its slot stays empty, as an offline drive's: the next start tries again.
      warnings.push(`drive ${p} is blank but could not be formatted in place of lost drive ${id}: ${(err as Error).message}`);
      continue;
    }
    pathOfId.set(id, p);
    replaced.push(p);
    warnings.push(`drive ${p} was blank: formatted in place of lost drive ${id}, to be healed`);
  }

  // One drive unread and one slot unknown: that slot is its, so the health model can name it and it can be reopened.
  const unknownIds = ref.sets.flat().filter((id) => !pathOfId.has(id));
  if (unread.size === 1 && unknownIds.length === 1) pathOfId.set(unknownIds[0], [...unread.keys()][0]);

  return {
    deploymentId: ref.deploymentId,
    blockSize: ref.blockSize,
    sets: ref.sets.map((ids) => ({ paths: ids.map((id) => pathOfId.get(id) ?? null), k: ids.length - ref.parity, m: ref.parity })),
    replaced,
    fresh: false,
    unread,
    deferredBlank: offline.length > 0 ? blank : [],
    warnings,
  };
}

async function formatFresh(paths: string[], setSize: number, opts: { parity?: number; blockSize?: number; answerMs: number }): Promise<Deployment> {
  const parity = opts.parity ?? defaultParity(setSize);
  if (!Number.isInteger(parity) || parity < 1 || parity > Math.floor(setSize / 2)) {
    throw new DeploymentError(`parity must be between 1 and ${Math.floor(setSize / 2)} for sets of ${setSize} drives; ${parity} given`);
  }
  const ids = paths.map(() => randomUUID());
  const sets: string[][] = [];
  for (let i = 0; i < ids.length; i += setSize) sets.push(ids.slice(i, i + setSize));
  const base: Omit<FormatBody, 'driveId'> = {
    format: 'granary',
    major: FORMAT_MAJOR,
    minor: FORMAT_MINOR,
    deploymentId: randomUUID(),
    sets,
    parity,
    blockSize: opts.blockSize ?? DEFAULT_BLOCK_SIZE,
    createdAt: new Date().toISOString(),
  };
  const written = await Promise.allSettled(paths.map((p, i) => writeFormat(p, { ...base, driveId: ids[i] }, opts.answerMs)));
  const failed = written.flatMap((w, i) => (w.status === 'rejected' ? [`drive ${paths[i]}: ${(w.reason as Error).message}`] : []));
  if (failed.length > 0) throw new DeploymentError(`cannot format a new deployment: ${failed.join('; ')}`);
  const setPaths: SetLayout[] = [];
  for (let i = 0; i < paths.length; i += setSize) setPaths.push({ paths: paths.slice(i, i + setSize), k: setSize - parity, m: parity });
  return { deploymentId: base.deploymentId, blockSize: base.blockSize, sets: setPaths, replaced: [], fresh: true, unread: new Map(), deferredBlank: [], warnings: [] };
}

/** Present on a drive formatted in place of a lost one until its rebuild (engine/heal) completes. */
export const HEALING_FILE = 'healing.json';

/** The healing flow (drive replacement) reads this marker; the drive serves what it has meanwhile. */
export function markHealing(path: string, ms: number): Promise<void> {
  return onDrive(path, 'write', `writing ${HEALING_FILE}`, ms, () => writeFile(join(path, META_DIR, HEALING_FILE), JSON.stringify({ since: new Date().toISOString() }) + '\n', { mode: 0o600 }));
}

/** The rebuild is complete: the drive is whole again. */
export function clearHealing(path: string, ms: number): Promise<void> {
  return onDrive(path, 'write', `removing ${HEALING_FILE}`, ms, () => rm(join(path, META_DIR, HEALING_FILE), { force: true }));
}
