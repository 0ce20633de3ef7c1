import si from 'systeminformation';
import type { SetupDisk } from '../api/console/types.js';

/** Filesystems that hold nothing across a reboot, or cannot be written: never offered as drives. */
const NOT_DRIVES = new Set(['tmpfs', 'devtmpfs', 'squashfs', 'efivarfs', 'ramfs', 'iso9660', 'overlay', 'proc', 'sysfs']);

/**
 * The mounted filesystems, with the model of their disk and its SMART verdict
 * where the machine tells (systeminformation's `diskLayout` is empty in many
 * VMs and containers; then `smart` is absent).
 */
export async function listDisks(): Promise<SetupDisk[]> {
  const [sizes, blocks, layout] = await Promise.all([
    si.fsSize().catch(() => []),
    si.blockDevices().catch(() => []),
    si.diskLayout().catch(() => []),
  ]);
  const blockOfMount = new Map(blocks.filter((b) => b.mount).map((b) => [b.mount, b]));
  return sizes
    .filter((f) => f.mount && !NOT_DRIVES.has(f.type) && f.rw !== false)
    .map((f) => {
      const block = blockOfMount.get(f.mount);
      const device = f.fs.startsWith('/dev/') ? f.fs : (block?.device ?? f.fs);
      // A partition's disk is the longest disk device its name starts with (/dev/sda1 → /dev/sda, /dev/nvme0n1p2 → /dev/nvme0n1).
      const disk = layout.filter((d) => d.device && device.startsWith(d.device)).sort((a, b) => b.device.length - a.device.length)[0];
      const model = block?.model || disk?.name || undefined;
      return {
        device,
        mount: f.mount,
        ...(model ? { model } : {}),
        sizeBytes: f.size,
        freeBytes: f.available,
        fs: f.type,
        ...(disk?.smartStatus && disk.smartStatus !== 'unknown' ? { smart: disk.smartStatus } : {}),
      };
    });
}
