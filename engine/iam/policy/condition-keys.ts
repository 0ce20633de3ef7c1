/**
 * The condition keys a policy may test. Names are case-insensitive, as in AWS;
 * the canonical form is lower-case, except the tag key after the '/' of the
 * tag families (s3:ExistingObjectTag/<key> …), since tag keys are
 * case-sensitive. Request contexts use the same canonical names.
 */
export type KeyType = 'String' | 'Numeric' | 'Date' | 'Bool' | 'IPAddress' | 'ARN' | 'Binary';

export interface ConditionKey {
  /** Canonical name, as request contexts carry it. */
  readonly key: string;
  readonly type: KeyType;
}

const EXACT: readonly (readonly [string, KeyType])[] = [
  // AWS global keys that mean something here
  ['aws:CurrentTime', 'Date'],
  ['aws:EpochTime', 'Date'],
  ['aws:MultiFactorAuthPresent', 'Bool'],
  ['aws:PrincipalArn', 'ARN'],
  ['aws:PrincipalType', 'String'],
  ['aws:Referer', 'String'],
  ['aws:SecureTransport', 'Bool'],
  ['aws:SourceIp', 'IPAddress'],
  ['aws:TagKeys', 'String'],
  ['aws:TokenIssueTime', 'Date'],
  ['aws:UserAgent', 'String'],
  ['aws:userid', 'String'],
  ['aws:username', 'String'],
  // MinIO: the groups of the user making the request
  ['aws:groups', 'String'],
  // Amazon S3
  ['s3:authType', 'String'],
  ['s3:delimiter', 'String'],
  ['s3:if-match', 'String'],
  ['s3:if-none-match', 'String'],
  ['s3:LocationConstraint', 'String'],
  ['s3:max-keys', 'Numeric'],
  ['s3:object-lock-legal-hold', 'String'],
  ['s3:object-lock-mode', 'String'],
  ['s3:object-lock-remaining-retention-days', 'Numeric'],
  ['s3:object-lock-retain-until-date', 'Date'],
  ['s3:prefix', 'String'],
  ['s3:RequestObjectTagKeys', 'String'],
  ['s3:ResourceAccount', 'String'],
  ['s3:signatureAge', 'Numeric'],
  ['s3:signatureversion', 'String'],
  ['s3:TlsVersion', 'Numeric'],
  ['s3:VersionId', 'String'],
  ['s3:x-amz-acl', 'String'],
  ['s3:x-amz-content-sha256', 'String'],
  ['s3:x-amz-copy-source', 'String'],
  ['s3:x-amz-grant-full-control', 'String'],
  ['s3:x-amz-grant-read', 'String'],
  ['s3:x-amz-grant-read-acp', 'String'],
  ['s3:x-amz-grant-write', 'String'],
  ['s3:x-amz-grant-write-acp', 'String'],
  ['s3:x-amz-metadata-directive', 'String'],
  ['s3:x-amz-object-ownership', 'String'],
  ['s3:x-amz-server-side-encryption', 'String'],
  ['s3:x-amz-server-side-encryption-aws-kms-key-id', 'ARN'],
  ['s3:x-amz-server-side-encryption-customer-algorithm', 'String'],
  ['s3:x-amz-storage-class', 'String'],
  ['s3:x-amz-website-redirect-location', 'String'],
  // MinIO's S3 additions
  ['s3:x-amz-object-if-match', 'String'],
  ['s3:x-amz-annotation-directive', 'String'],
  // directory services and token services
  ['ldap:user', 'String'],
  ['ldap:username', 'String'],
  ['ldap:groups', 'String'],
  ['sts:DurationSeconds', 'Numeric'],
  ['svc:DurationSeconds', 'Numeric'],
];

/** Families: the part after the prefix is a tag key (case kept) or a token claim (lower-cased). */
const FAMILIES: readonly { prefix: string; type: KeyType; keepCase: boolean }[] = [
  { prefix: 's3:existingobjecttag/', type: 'String', keepCase: true },
  { prefix: 's3:requestobjecttag/', type: 'String', keepCase: true },
  { prefix: 's3:buckettag/', type: 'String', keepCase: true },
  { prefix: 'aws:principaltag/', type: 'String', keepCase: true },
  { prefix: 'aws:requesttag/', type: 'String', keepCase: true },
  { prefix: 'aws:resourcetag/', type: 'String', keepCase: true },
  { prefix: 'jwt:', type: 'String', keepCase: false },
];

const BY_LOWER = new Map(EXACT.map(([name, type]) => [name.toLowerCase(), { key: name.toLowerCase(), type }]));

/** Tag keys: 1–128 characters. Token claims: printable, no spaces or variable syntax. */
const TAG_KEY = /^.{1,128}$/su;
const CLAIM = /^[^\s${}]{1,128}$/u;

/** The key's canonical name and type, or undefined when no such key is known. */
export function conditionKey(name: string): ConditionKey | undefined {
  const lower = name.toLowerCase();
  const exact = BY_LOWER.get(lower);
  if (exact) return exact;
  for (const f of FAMILIES) {
    if (!lower.startsWith(f.prefix)) continue;
    const rest = name.slice(f.prefix.length);
    if (!(f.keepCase ? TAG_KEY : CLAIM).test(rest)) return undefined;
    return { key: f.prefix + (f.keepCase ? rest : rest.toLowerCase()), type: f.type };
  }
  return undefined;
}

/**
 * The canonical spelling of any key name, known or not, for building request
 * contexts: lower-case, except the tag key after the '/' of a tag family.
 */
export function canonicalKeyName(name: string): string {
  const lower = name.toLowerCase();
  for (const f of FAMILIES) if (f.keepCase && lower.startsWith(f.prefix)) return f.prefix + name.slice(f.prefix.length);
  return lower;
}
