import { hostname, networkInterfaces } from 'node:os';

/**
 * What LAN clients may type to reach this machine: its host name (bare and
 * as `.local` for mDNS), localhost, loopback, and every non-internal address
 * of its network interfaces. IPv6 link-local addresses are left out: they
 * need a zone id that no certificate can name.
 */
export function machineNames(): string[] {
  const names = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const host = hostname().toLowerCase();
  if (host && /^[a-z0-9.-]+$/.test(host)) {
    names.add(host);
    if (!host.includes('.')) names.add(`${host}.local`);
  }
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal || (a.family === 'IPv6' && /^fe80:/i.test(a.address))) continue;
      names.add(a.address);
    }
  }
  return [...names];
}
