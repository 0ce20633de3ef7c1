import { join } from 'node:path';
import { META_DIR } from './format.js';

/** Where things live inside one drive. Object keys never appear in these paths. */
export class DrivePaths {
  constructor(readonly root: string) {}

  get meta(): string { return join(this.root, META_DIR); }
  get db(): string { return join(this.meta, 'meta.db'); }
  get tmp(): string { return join(this.meta, 'tmp'); }
  get multipart(): string { return join(this.meta, 'multipart'); }
  get data(): string { return join(this.root, 'data'); }

  /** Committed shards of one version; two hex characters of fan-out keep directories small. */
  dataDir(dataDir: string): string { return join(this.data, dataDir.slice(0, 2), dataDir); }
  fanoutDir(dataDir: string): string { return join(this.data, dataDir.slice(0, 2)); }
  uploadDir(uploadId: string): string { return join(this.multipart, uploadId); }
}

export function partFileName(partNumber: number): string {
  return `part.${partNumber}`;
}
