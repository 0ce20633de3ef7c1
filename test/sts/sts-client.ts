import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { signRequest } from '../../engine/s3/auth/signer.js';
import type { Account } from '../helpers/signed-fetch.js';

export interface StsAnswer {
  status: number;
  text: string;
  xml: Record<string, Record<string, unknown>>;
  /** The error code of an ErrorResponse. */
  code?: string;
}

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });

/** `POST /` with an STS form: SigV4-signed for service `sts` when an account is given, else unsigned (as the web-identity flows are). */
export async function stsPost(endpoint: string, form: Record<string, string> | string, as?: Account & { sessionToken?: string }): Promise<StsAnswer> {
  const body = typeof form === 'string' ? form : new URLSearchParams({ Version: '2011-06-15', ...form }).toString();
  const url = new URL(`${endpoint}/`);
  let headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (as) {
    headers = signRequest({
      method: 'POST', url, headers, payloadHash: createHash('sha256').update(body).digest('hex'),
      accessKey: as.accessKey, secretKey: as.secretKey, region: 'us-east-1', service: 'sts', ...(as.sessionToken ? { sessionToken: as.sessionToken } : {}),
    });
    delete headers.host;
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  const xml = (text.startsWith('<') ? parser.parse(text) : {}) as StsAnswer['xml'];
  const code = (xml.ErrorResponse?.Error as Record<string, string> | undefined)?.Code ?? (xml.Error as unknown as Record<string, string> | undefined)?.Code;
  return { status: res.status, text, xml, ...(code ? { code } : {}) };
}

export interface TempCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export function credentialsOf(a: StsAnswer, action: string): TempCredentials {
  const result = a.xml[`${action}Response`]?.[`${action}Result`] as { Credentials?: TempCredentials } | undefined;
  if (a.status !== 200 || !result?.Credentials) throw new Error(`${action} failed: ${a.status} ${a.text}`);
  return result.Credentials;
}
