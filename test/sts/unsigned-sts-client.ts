import { request } from 'node:https';

export interface StsCredentials { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }

export interface StsAnswer { status: number; body: string; code?: string; credentials?: StsCredentials }

/** An unsigned STS query (LDAP, certificate, custom token): a form POST to `/`, answered in STS XML. */
export async function stsPost(endpoint: string, params: Record<string, string>, tls?: { ca?: string; cert?: string; key?: string }): Promise<StsAnswer> {
  const form = new URLSearchParams({ Version: '2011-06-15', ...params }).toString();
  let status: number;
  let body: string;
  if (tls) {
    ({ status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${endpoint}/`, { method: 'POST', ...tls, agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(form)) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      });
      req.once('error', reject);
      req.setTimeout(20_000, () => req.destroy(new Error('request timed out')));
      req.end(form);
    }));
  } else {
    const res = await fetch(`${endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    status = res.status;
    body = await res.text();
  }
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
  const code = tag('Code');
  const accessKeyId = tag('AccessKeyId');
  return {
    status,
    body,
    ...(code ? { code } : {}),
    ...(accessKeyId ? { credentials: { accessKeyId, secretAccessKey: tag('SecretAccessKey')!, sessionToken: tag('SessionToken')!, expiration: tag('Expiration')! } } : {}),
  };
}
