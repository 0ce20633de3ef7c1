/**
 * IPv4 and IPv6 addresses and CIDR blocks for IpAddress / NotIpAddress.
 * Addresses are held as BigInts. An IPv4-mapped IPv6 address (::ffff:a.b.c.d),
 * as a dual-stack socket reports an IPv4 client, matches IPv4 blocks.
 */
export interface IpAddress {
  readonly v: 4 | 6;
  readonly bits: bigint;
}

export interface Cidr {
  readonly v: 4 | 6;
  /** The network, host bits cleared. */
  readonly bits: bigint;
  readonly prefix: number;
  /** As written. */
  readonly text: string;
}

const V4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HEX = /^[0-9a-fA-F]{1,4}$/;
const MAPPED = 0xffffn << 32n;

export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { v: 4, bits: v4 };
  const v6 = parseV6(text);
  return v6 === undefined ? undefined : { v: 6, bits: v6 };
}

/** `addr/len`, or a bare address meaning that one address. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const width = ip.v === 4 ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const len = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(len) || Number(len) > width) return undefined;
    prefix = Number(len);
  }
  return { v: ip.v, bits: ip.bits & mask(width, prefix), prefix, text };
}

export function cidrContains(c: Cidr, ip: IpAddress): boolean {
  let addr = ip;
  if (c.v === 4 && ip.v === 6 && ip.bits >> 32n === 0xffffn) addr = { v: 4, bits: ip.bits & 0xffffffffn };
  else if (c.v === 6 && ip.v === 4) addr = { v: 6, bits: MAPPED | ip.bits };
  if (addr.v !== c.v) return false;
  return (addr.bits & mask(c.v === 4 ? 32 : 128, c.prefix)) === c.bits;
}

function mask(width: number, prefix: number): bigint {
  const all = (1n << BigInt(width)) - 1n;
  return all ^ ((1n << BigInt(width - prefix)) - 1n);
}

function parseV4(text: string): bigint | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  let out = 0n;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseV6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const words: number[] = [];
  const all = [...head, ...tail];
  // An embedded IPv4 address may end the text, counting as two groups.
  let v4: bigint | undefined;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    v4 = parseV4(last);
    if (v4 === undefined) return undefined;
    if (tail.length) tail.pop();
    else head.pop();
  }
  for (const g of [...head, ...tail]) if (!HEX.test(g)) return undefined;
  const count = head.length + tail.length + (v4 !== undefined ? 2 : 0);
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  words.push(...head.map((g) => parseInt(g, 16)));
  for (let i = count; i < 8; i++) words.push(0);
  words.push(...tail.map((g) => parseInt(g, 16)));
  let out = 0n;
  for (const w of words) out = (out << 16n) | BigInt(w);
  if (v4 !== undefined) out = (out << 32n) | v4;
  return out;
}
