import { mkdirSync } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEntry } from './audit-entry.js';
import type { AuditTarget, TargetStats } from './audit-target.js';

export interface FileTargetOptions {
  path: string;
  /** The live file is rotated before a write would take it past this size. */
  maxSizeBytes: number;
  /** Rotated files kept (`<path>.1` newest … `<path>.<maxFiles>` oldest); older ones are removed. */
  maxFiles: number;
  /** Entries held in memory while the disk is slow; past it the oldest are dropped. */
  memoryLimit?: number;
}

/**
 * JSON lines in a local file, rotated by size. Entries are buffered and
 * written in batches by one write at a time, off the request path.
 */
export class FileTarget implements AuditTarget {
  readonly type = 'file' as const;
  private buffer: string[] = [];
  private total = 0;
  private failed = 0;
  private dropped = 0;
  private writing: Promise<void> | undefined;
  private handle: FileHandle | undefined;
  private size = 0;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly opts: FileTargetOptions,
  ) {
    mkdirSync(dirname(opts.path), { recursive: true });
  }

  enqueue(entry: AuditEntry): void {
    if (this.closed) return;
    this.total++;
    this.buffer.push(`${JSON.stringify(entry)}\n`);
    const limit = this.opts.memoryLimit ?? 100_000;
    if (this.buffer.length > limit) {
      const over = this.buffer.length - limit;
      this.buffer.splice(0, over);
      this.dropped += over;
    }
    this.schedule();
  }

  stats(): TargetStats {
    return { name: this.name, type: this.type, total: this.total, failed: this.failed, pending: this.buffer.length, dropped: this.dropped };
  }

  /** Resolves once everything enqueued so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
  }

  private schedule(): void {
    if (this.writing) return;
    this.writing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.writeAll())
      .finally(() => {
        this.writing = undefined;
        if (this.buffer.length && !this.closed) this.schedule();
      });
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length) {
      let batch: string[] = [];
      try {
        await this.open();
        batch = this.takeBatch();
        const data = batch.join('');
        const bytes = Buffer.byteLength(data);
        if (this.size > 0 && this.size + bytes > this.opts.maxSizeBytes) await this.rotate();
        await (await this.open()).appendFile(data);
        this.size += bytes;
      } catch {
        // A full or missing disk: counted, and the batch is not retried (a file target cannot queue forever).
        this.failed += Math.max(batch.length, 1);
        if (!batch.length) this.buffer.shift();
        await this.handle?.close().catch(() => undefined);
        this.handle = undefined;
        return;
      }
    }
  }

  /** Lines that fit in what is left of the live file (at least one), so a file never grows much past its limit. */
  private takeBatch(): string[] {
    const room = Math.max(this.opts.maxSizeBytes - this.size, 0);
    let bytes = 0;
    let n = 0;
    while (n < this.buffer.length && n < 1000) {
      const len = Buffer.byteLength(this.buffer[n]);
      if (n > 0 && bytes + len > room) break;
      bytes += len;
      n++;
    }
    return this.buffer.splice(0, n);
  }

  private async open(): Promise<FileHandle> {
    if (!this.handle) {
      this.handle = await open(this.opts.path, 'a', 0o600);
      this.size = (await stat(this.opts.path)).size;
    }
    return this.handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    const p = this.opts.path;
    await rm(`${p}.${this.opts.maxFiles}`, { force: true });
    for (let i = this.opts.maxFiles - 1; i >= 1; i--) await rename(`${p}.${i}`, `${p}.${i + 1}`).catch(() => undefined);
    await rename(p, `${p}.1`);
    this.size = 0;
  }
}
