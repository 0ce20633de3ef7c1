import { Counter, Gauge, type Registry } from 'prom-client';
import type { StorageInfo } from '../object/object-layer.js';

/** What the object layer tells monitoring; read at each scrape, never pushed. */
export interface StorageSource {
  storageInfo(): Promise<StorageInfo>;
  readonly healQueueLength: number;
  readonly bitrotErrors: number;
}

/** How long one look at the drives serves: a scrape's gauges read it together. */
const SAMPLE_MS = 1000;

/**
 * Drives, capacity and the erasure layer's health, sampled when Prometheus
 * scrapes: nothing runs between scrapes, and what is shown is current.
 */
export function registerStorageMetrics(registry: Registry, source: StorageSource): void {
  const registers = [registry];
  // One storageInfo() (it stats every drive) serves all the gauges of a scrape.
  let sample: { at: number; info: Promise<StorageInfo> } | undefined;
  const info = () => {
    const now = Date.now();
    if (!sample || now - sample.at > SAMPLE_MS) sample = { at: now, info: source.storageInfo() };
    return sample.info;
  };
  const drives = async () => (await info()).sets.flatMap((s, i) => s.drives.map((d, slot) => ({ set: String(i + 1), drive: d.path ?? `slot ${slot + 1}`, ...d })));

  new Gauge({
    name: 'granary_drives_online', help: 'Drives online (over every erasure set).', registers,
    async collect() { this.set((await drives()).filter((d) => d.state === 'online').length); },
  });
  new Gauge({ name: 'granary_drives_offline', help: 'Drives offline or missing (over every erasure set).', registers, async collect() { this.set((await drives()).filter((d) => d.state !== 'online').length); } });
  new Gauge({
    name: 'granary_drive_online', help: '1 when the drive is online, 0 when it is not.', labelNames: ['set', 'drive'], registers,
    async collect() {
      const all = await drives();
      this.reset();
      for (const d of all) this.set({ set: d.set, drive: d.drive }, d.state === 'online' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'granary_drive_free_bytes', help: 'Bytes available to Granary on the drive\'s file system.', labelNames: ['set', 'drive'], registers,
    async collect() {
      const all = await drives();
      this.reset();
      for (const d of all) if (d.freeBytes !== undefined) this.set({ set: d.set, drive: d.drive }, d.freeBytes);
    },
  });
  new Gauge({
    name: 'granary_drive_total_bytes', help: 'Size of the drive\'s file system in bytes.', labelNames: ['set', 'drive'], registers,
    async collect() {
      const all = await drives();
      this.reset();
      for (const d of all) if (d.totalBytes !== undefined) this.set({ set: d.set, drive: d.drive }, d.totalBytes);
    },
  });
  new Gauge({ name: 'granary_heal_queue_length', help: 'Objects waiting for a background heal.', registers, collect() { this.set(source.healQueueLength); } });
  new Counter({
    name: 'granary_bitrot_errors_total', help: 'Shard frames that failed their hash check when read (each was rebuilt from the others and queued for healing).', registers,
    collect() {
      // The count lives in the erasure layer; the counter mirrors it.
      this.reset();
      this.inc(source.bitrotErrors);
    },
  });
}
