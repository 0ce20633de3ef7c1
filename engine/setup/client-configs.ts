import { networkInterfaces } from 'node:os';

/** This machine's non-internal IPv4 addresses: where other machines on the LAN reach it. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

/** The S3 endpoint on each LAN address, when S3 listens on every interface (empty when it is loopback only). */
export function lanEndpoints(listenHost: string, port: number, scheme: 'http' | 'https'): string[] {
  const everywhere = listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '';
  if (everywhere) return lanAddresses().map((a) => `${scheme}://${a}:${port}`);
  return lanAddresses().includes(listenHost) ? [`${scheme}://${listenHost}:${port}`] : [];
}

export interface ClientConfigInput {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

/**
 * A profile for `~/.aws/config`. `endpoint_url` there needs aws-cli 2.13 or
 * later; older ones take `--endpoint-url` on each command, hence the comment.
 */
export function awsConfig(c: ClientConfigInput): string {
  return `[profile granary]
region = ${c.region}
endpoint_url = ${c.endpoint}
aws_access_key_id = ${c.accessKey}
aws_secret_access_key = ${c.secretKey}
# aws-cli before 2.13 ignores endpoint_url: add --endpoint-url ${c.endpoint}
`;
}

/** A remote for `rclone.conf`, path-style as Granary serves by default. */
export function rcloneConfig(c: ClientConfigInput): string {
  return `[granary]
type = s3
provider = Other
access_key_id = ${c.accessKey}
secret_access_key = ${c.secretKey}
endpoint = ${c.endpoint}
region = ${c.region}
force_path_style = true
`;
}
