import { createHash, type Hash } from 'node:crypto';
import { JobThread } from '../common/job-thread.js';
import type { Md5Job, Md5Reply } from './md5-stream.js';

const thread = new JobThread<Md5Job, Md5Reply>('MD5 thread', new URL('./md5.worker', import.meta.url), null);
let nextStream = 1;

/**
 * The MD5 of a body fed block by block. Blocks in shared memory are hashed
 * on the MD5 thread, in order; `update` resolves once the block may be
 * reused. A body that never fills a shared block (a small object) is hashed
 * here, where a message to the thread would cost more than the hash.
 */
export class BlockMd5 {
  private readonly stream = nextStream++;
  private local: Hash | null = null;
  private threaded = false;

  update(block: Uint8Array): Promise<void> {
    if (block.buffer instanceof SharedArrayBuffer && !this.local) {
      this.threaded = true;
      return thread.run({ op: 'update', stream: this.stream, buffer: block.buffer, offset: block.byteOffset, length: block.length }).then(() => undefined);
    }
    if (this.threaded) {
      // The encoder's full blocks are all shared; any other block after them must still reach the thread, in order.
      const copy = new Uint8Array(new SharedArrayBuffer(block.length));
      copy.set(block);
      return this.update(copy);
    }
    (this.local ??= createHash('md5')).update(block);
    return Promise.resolve();
  }

  async digest(): Promise<Buffer> {
    if (!this.threaded) return (this.local ?? createHash('md5')).digest();
    const { digest } = await thread.run({ op: 'digest', stream: this.stream });
    return Buffer.from(digest!);
  }

  /** Frees the thread's state of a body given up on. */
  drop(): void {
    if (this.threaded) thread.run({ op: 'drop', stream: this.stream }).catch(() => undefined);
  }
}
