import { isSilence } from '../drive/drive-error.js';
import type { LocalDrive } from '../drive/local-drive.js';
import type { VersionRecord } from '../drive/records.js';
import { blockHash, hashEquals, HASH_LEN } from './bitrot.js';
import { PartLayout } from './layout.js';

/**
 * What can be wrong with one drive's copy of a version:
 * - metadata: the drive has no row for it (it missed the write, or was replaced);
 * - missing: the row is there but a shard file or inline shard is not;
 * - truncated: a shard is there but of the wrong size;
 * - corrupt: a shard frame fails its hash.
 */
export type Damage = 'metadata' | 'missing' | 'truncated' | 'corrupt';

/**
 * The quick check of one holder's shards: presence and size of every part
 * file (a stat each), and the frames of an inline shard, which come whole
 * from the DB and cost nothing more to hash. Null when nothing is wrong;
 * file frames are hashed by the deep check only. A drive that does not
 * answer (DriveError 'timeout' or 'offline') is thrown, not judged.
 */
export async function quickCheck(drive: LocalDrive, bucket: string, key: string, record: VersionRecord, k: number): Promise<Damage | null> {
  if (record.deleted) return null;
  if (!record.dataDir) {
    const part = record.parts[0];
    const layout = new PartLayout(part?.size ?? 0, record.erasure.blockSize, k);
    const blob = await drive.inlineOffThread(bucket, key, record.versionId);
    if (!blob) return 'missing';
    if (blob.length !== layout.shardFileSize) return 'truncated';
    for (let i = 0; i < layout.blocks; i++) {
      const off = layout.frameOffset(i);
      const len = layout.shardLength(i);
      if (!hashEquals(blob.subarray(off, off + HASH_LEN), blockHash(blob.subarray(off + HASH_LEN, off + HASH_LEN + len)))) return 'corrupt';
    }
    return null;
  }
  for (const part of record.parts) {
    const layout = new PartLayout(part.size, record.erasure.blockSize, k);
    let size: number;
    try {
      size = await drive.shardSize(record.dataDir, part.number);
    } catch (err) {
      // A drive that does not answer cannot be judged; one that answers without the file lacks it.
      if (isSilence(err)) throw err;
      return 'missing';
    }
    if (size !== layout.shardFileSize) return 'truncated';
  }
  return null;
}
