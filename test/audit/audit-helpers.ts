import { signedFetch, type Account } from '../helpers/signed-fetch.js';

/** Polls `check` until it returns a value (not undefined), or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function putTarget(root: Account, name: string, config: Record<string, unknown>): Promise<void> {
  const res = await signedFetch(root, 'PUT', `/granary/admin/v1/audit/targets/${name}`, JSON.stringify(config));
  if (res.status !== 200) throw new Error(`PUT audit target: ${res.status} ${await res.text()}`);
}

export interface StatsRow { name: string; type: string; total: number; failed: number; pending: number; dropped: number }

export async function auditStats(root: Account): Promise<StatsRow[]> {
  const res = await signedFetch(root, 'GET', '/granary/v1/audit');
  if (res.status !== 200) throw new Error(`GET /granary/v1/audit: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { targets: StatsRow[] }).targets;
}
