import type { LocalDrive } from '../drive/local-drive.js';
import type { BlockCodec } from './block-codec.js';

/** What the encode and decode paths of one erasure set share. */
export interface SetContext {
  readonly index: number;
  readonly k: number;
  readonly m: number;
  readonly blockSize: number;
  readonly codec: BlockCodec;
  /** Slot order is the set order of format.json; null: the drive is offline. */
  readonly drives: (LocalDrive | null)[];
}
