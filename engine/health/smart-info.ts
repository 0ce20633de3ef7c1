import { execFile } from 'node:child_process';
import { access, realpath } from 'node:fs/promises';
import si from 'systeminformation';
import type { DriveSmart } from '../api/health/types.js';
import { LateCalls } from '../common/late-calls.js';

const SMARTCTL = '/usr/sbin/smartctl';
/** SMART data changes slowly and smartctl wakes sleeping disks: ask at most this often. */
const REFRESH_MS = 10 * 60 * 1000;
const SMARTCTL_TIMEOUT_MS = 10_000;
/** How long a drive folder has to tell its real path (the device lookup passes a silent one by until the next refresh). */
const PATH_LOOK_MS = 2000;
const START_DELAY_MS = 3_000;

interface Device { device: string; model?: string }

/**
 * The disk under each drive folder and what the OS says about it:
 * systeminformation maps a folder to its filesystem and block device (model),
 * smartctl, when installed and permitted, adds the health verdict and
 * temperature. Folders on one disk share its entry. What no source tells stays
 * absent (status 'unknown'): nothing is made up.
 */
export class SmartInfo {
  private devices = new Map<string, Device>();
  private smart = new Map<string, { status: DriveSmart['status']; temperature?: number; model?: string }>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | null = null;
  /** A path whose realpath is out past its deadline is not asked again until it returns. */
  private readonly lateCalls = new LateCalls();

  constructor(private readonly paths: string[], private readonly log: (line: string) => void = () => undefined) {}

  start(): void {
    // Not while the engine is starting: lsblk and smartctl can wait until the ports answer.
    setTimeout(() => this.refresh(), START_DELAY_MS).unref();
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Resolves when the first lookup (or the one under way) is done. */
  ready(): Promise<void> {
    return this.refreshing ?? Promise.resolve();
  }

  forPath(path: string): DriveSmart | undefined {
    const dev = this.devices.get(path);
    if (!dev) return undefined;
    const s = this.smart.get(dev.device);
    const model = s?.model ?? dev.model;
    return {
      status: s?.status ?? 'unknown',
      ...(s?.temperature !== undefined ? { temperature: s.temperature } : {}),
      ...(model ? { model } : {}),
      device: dev.device,
      source: s && s.status !== 'unknown' ? 'smartctl' : 'systeminformation',
    };
  }

  private refresh(): void {
    if (this.refreshing) return;
    this.refreshing = this.lookup()
      .catch((err: unknown) => this.log(`health: drive device lookup failed: ${(err as Error).message}`))
      .finally(() => { this.refreshing = null; });
  }

  private async lookup(): Promise<void> {
    const [filesystems, blocks] = await Promise.all([si.fsSize(), si.blockDevices()]);
    const disks = new Map(blocks.map((b) => [b.name, b]));
    const devices = new Map<string, Device>();
    for (const path of this.paths) {
      // Off the main thread and bounded: a drive folder on a disk that hangs must not stop the engine at every refresh.
      const answer = await this.lateCalls.run(path, PATH_LOOK_MS, () => realpath(path)).catch(() => 'late' as const);
      if (typeof answer !== 'object') continue;
      const real = answer.value;
      const fs = filesystems
        .filter((f) => f.mount && (real === f.mount || real.startsWith(f.mount.endsWith('/') ? f.mount : `${f.mount}/`)))
        .sort((a, b) => b.mount.length - a.mount.length)[0];
      if (!fs || !fs.fs.startsWith('/dev/')) continue;
      const name = fs.fs.slice('/dev/'.length);
      // A partition's SMART data is its disk's: sda1 → sda, nvme0n1p2 → nvme0n1.
      const disk = disks.get(name)?.type === 'disk' ? name : [name.replace(/p?\d+$/, ''), name].find((n) => disks.get(n)?.type === 'disk');
      const entry = disk ? disks.get(disk) : undefined;
      const model = entry?.model?.trim();
      devices.set(path, { device: entry ? entry.device || `/dev/${entry.name}` : fs.fs, ...(model ? { model } : {}) });
    }
    this.devices = devices;
    const smart = new Map<string, { status: DriveSmart['status']; temperature?: number; model?: string }>();
    if (await access(SMARTCTL).then(() => true, () => false)) {
      for (const device of new Set([...devices.values()].map((d) => d.device))) {
        const s = await smartctl(device);
        if (s) smart.set(device, s);
      }
    }
    this.smart = smart;
  }
}

/** `smartctl -j -H -A DEVICE`; undefined when it cannot tell (not permitted, no SMART, a virtual disk). */
function smartctl(device: string): Promise<{ status: DriveSmart['status']; temperature?: number; model?: string } | undefined> {
  return new Promise((resolve) => {
    execFile(SMARTCTL, ['-j', '-H', '-A', device], { timeout: SMARTCTL_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (_err, stdout) => {
      // smartctl's exit status is a bit mask that is non-zero for mere warnings: the JSON says what it knew.
      try {
        const j = JSON.parse(stdout) as { smart_status?: { passed?: boolean }; temperature?: { current?: number }; model_name?: string };
        const passed = j.smart_status?.passed;
        const temperature = j.temperature?.current;
        const model = j.model_name?.trim();
        if (passed === undefined && temperature === undefined && !model) return resolve(undefined);
        resolve({
          status: passed === true ? 'passed' : passed === false ? 'failed' : 'unknown',
          ...(typeof temperature === 'number' ? { temperature } : {}),
          ...(model ? { model } : {}),
        });
      } catch {
        resolve(undefined);
      }
    });
  });
}
