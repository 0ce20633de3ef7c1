import { BlockList, isIP } from 'node:net';

/** Where the admin API answers from: loopback unless `--admin-allow` says otherwise. */
export const DEFAULT_ADMIN_ALLOW = ['127.0.0.0/8', '::1/128'];

export class AdminNetworks {
  private readonly list = new BlockList();

  constructor(readonly cidrs: string[]) {
    for (const cidr of cidrs) {
      const [address, bits] = cidr.split('/');
      const family = isIP(address);
      if (family === 0) throw new Error(`--admin-allow: ${JSON.stringify(cidr)} is not an IP address or CIDR block`);
      const max = family === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) throw new Error(`--admin-allow: ${JSON.stringify(cidr)} has a bad prefix length`);
      this.list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  allows(address: string): boolean {
    const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    const family = isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}
