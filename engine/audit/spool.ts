import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Segment {
  file: string;
  /** The entries' JSON texts, one per line in the file. */
  lines: string[];
}

const SEGMENT = /^(\d{12})\.ndjson$/;

/**
 * A queue on disk: each append is one new segment file of JSON lines, and a
 * segment is removed once all its entries are delivered. Segments are only
 * ever created and deleted, never rewritten, so a crash leaves at worst a
 * segment with a torn last line, which is skipped when the spool is read back.
 */
export class Spool {
  private readonly segments: Segment[] = [];
  private next = 1;
  private count = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir).filter((n) => SEGMENT.test(n)).sort();
    for (const name of names) {
      const lines = readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => isJson(l));
      this.segments.push({ file: name, lines });
      this.count += lines.length;
      this.next = Number(SEGMENT.exec(name)![1]) + 1;
    }
  }

  /** Entries on disk, not yet delivered. */
  get size(): number {
    return this.count;
  }

  /** Written before it is counted: a segment in the list is on disk. */
  async append(lines: string[]): Promise<void> {
    const file = `${String(this.next++).padStart(12, '0')}.ndjson`;
    await writeFile(join(this.dir, file), `${lines.join('\n')}\n`, { mode: 0o600 });
    this.segments.push({ file, lines });
    this.count += lines.length;
  }

  /** The oldest segments, whole, up to about `max` entries (at least one segment). */
  head(max: number): Segment[] {
    const out: Segment[] = [];
    let n = 0;
    for (const s of this.segments) {
      if (out.length > 0 && n + s.lines.length > max) break;
      out.push(s);
      n += s.lines.length;
    }
    return out;
  }

  /** Forgets delivered segments (always the oldest ones). */
  async remove(done: Segment[]): Promise<void> {
    for (const s of done) {
      const i = this.segments.indexOf(s);
      if (i < 0) continue;
      this.segments.splice(i, 1);
      this.count -= s.lines.length;
      await rm(join(this.dir, s.file), { force: true });
    }
  }
}

function isJson(line: string): boolean {
  if (line === '') return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
