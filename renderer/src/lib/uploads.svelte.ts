import type { ObjectWriteResponse, PartWriteResponse } from '../../../engine/api/console/types';
import { ApiError, describe } from './api/api-error';
import { api } from './api/client';
import { putWithProgress } from './api/upload-request';

/** Files up to this size go in one PUT; larger ones in parts, so a lost connection costs one part, not the file. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const MAX_PARTS = 10_000;

export type UploadStatus = 'waiting' | 'uploading' | 'done' | 'failed' | 'cancelled';

/** One file on its way into a bucket, with the progress the upload list draws. */
export class UploadTask {
  readonly id = crypto.randomUUID();
  status = $state<UploadStatus>('waiting');
  sent = $state(0);
  error = $state<string | null>(null);
  private readonly abort = new AbortController();

  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly file: File,
  ) {}

  get size(): number {
    return this.file.size;
  }

  get percent(): number {
    return this.size === 0 ? (this.status === 'done' ? 100 : 0) : Math.min(100, Math.floor((this.sent / this.size) * 100));
  }

  cancel(): void {
    if (this.status === 'waiting' || this.status === 'uploading') {
      this.status = 'cancelled';
      this.abort.abort();
    }
  }

  async run(): Promise<void> {
    if (this.status !== 'waiting') return;
    this.status = 'uploading';
    try {
      if (this.size > MULTIPART_THRESHOLD) await this.multipart();
      else await this.single();
      this.sent = this.size;
      this.status = 'done';
    } catch (err) {
      if (err instanceof ApiError && err.code === 'Aborted') this.status = 'cancelled';
      else {
        this.status = 'failed';
        this.error =
          err instanceof ApiError && err.code === 'AccessDenied'
            ? `The engine refused the upload: your account may not add files to ${this.bucket}. Ask an administrator for a policy that grants it.`
            : describe(err);
      }
    }
  }

  private async single(): Promise<ObjectWriteResponse> {
    return putWithProgress<ObjectWriteResponse>(api.objectUrl(this.bucket, this.key), this.file, {
      contentType: this.file.type,
      signal: this.abort.signal,
      onProgress: (n) => (this.sent = n),
    });
  }

  private async multipart(): Promise<void> {
    const { uploadId, partSize: suggested } = await api.createMultipart(this.bucket, this.key, this.file.type || 'application/octet-stream');
    const partSize = Math.max(suggested, Math.ceil(this.size / MAX_PARTS));
    const parts: { partNumber: number; etag: string }[] = [];
    try {
      for (let offset = 0, n = 1; offset < this.size; offset += partSize, n++) {
        if (this.abort.signal.aborted) throw new ApiError('Aborted', 0, 'Cancelled.');
        const blob = this.file.slice(offset, Math.min(offset + partSize, this.size));
        const part = await putWithProgress<PartWriteResponse>(api.partUrl(this.bucket, uploadId, n, this.key), blob, {
          signal: this.abort.signal,
          onProgress: (sent) => (this.sent = offset + sent),
        });
        parts.push({ partNumber: part.partNumber, etag: part.etag });
      }
      await api.completeMultipart(this.bucket, uploadId, { key: this.key, parts });
    } catch (err) {
      // Parts already stored take space until the upload is aborted.
      await api.abortMultipart(this.bucket, uploadId, this.key).catch(() => undefined);
      throw err;
    }
  }
}

/** The uploads of the object browser: one at a time, in the order they were chosen. */
class UploadQueue {
  tasks = $state<UploadTask[]>([]);
  private running = false;
  private finished = new Set<(task: UploadTask) => void>();

  add(bucket: string, prefix: string, files: Iterable<File>): void {
    for (const f of files) this.tasks.push(new UploadTask(bucket, prefix + ((f as File & { relativePath?: string }).relativePath || f.name), f));
    void this.pump();
  }

  /** Called after each task ends (the browser refreshes its listing). */
  onFinished(listener: (task: UploadTask) => void): () => void {
    this.finished.add(listener);
    return () => this.finished.delete(listener);
  }

  /** At logout or session end: what one account started is neither shown to nor finished for the next. */
  reset(): void {
    for (const t of this.tasks) t.cancel();
    this.tasks = [];
  }

  clearEnded(): void {
    this.tasks = this.tasks.filter((t) => t.status === 'waiting' || t.status === 'uploading');
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let t = this.next(); t; t = this.next()) {
        await t.run();
        for (const l of this.finished) l(t);
      }
    } finally {
      this.running = false;
    }
  }

  private next(): UploadTask | undefined {
    return this.tasks.find((t) => t.status === 'waiting');
  }
}

export const uploads = new UploadQueue();
