import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, signingCa } from '../../engine/tls/certificate-issuer.js';
import { run } from './run.js';

export const SUFFIX = 'dc=granary,dc=test';
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
export const ADMIN_PASSWORD = 'slapd-admin-secret';
/** The read-only account Granary binds as to look users and groups up. */
export const LOOKUP_DN = `cn=granary-lookup,${SUFFIX}`;
export const LOOKUP_PASSWORD = 'lookup-Secret-5e1';
export const USERS_BASE = `ou=people,${SUFFIX}`;
export const GROUPS_BASE = `ou=groups,${SUFFIX}`;

export interface SeedUser { uid: string; password: string }
export interface SeedGroup { cn: string; members: string[] }

export interface RunningSlapd {
  url: string;
  /** With `tls`: an ldaps:// URL and the CA (PEM) the server certificate chains to. */
  ldapsUrl?: string;
  caPem?: string;
  caFile?: string;
  userDn(uid: string): string;
  groupDn(cn: string): string;
  /** ldapmodify/ldapadd/ldapdelete as the directory admin. */
  ldif(tool: 'ldapadd' | 'ldapmodify' | 'ldapdelete', input: string): Promise<void>;
  stop(): Promise<void>;
}

const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const cleanEnv = () => ({ PATH: '/usr/sbin:/usr/bin:/bin', HOME: tmpdir(), LDAPNOINIT: '1' });

/**
 * Debian's real slapd on random 127.0.0.1 ports, with a slapd.conf of its own
 * (mdb database in a temp folder, schemas from /etc/ldap/schema, modules from
 * /usr/lib/ldap), seeded with users (inetOrgPerson, plain userPassword) and
 * groups (groupOfNames). Runs as whoever starts it, root in a container
 * included: no -u/-g.
 */
export async function startSlapd(seed: { users: SeedUser[]; groups: SeedGroup[]; tls?: boolean }): Promise<RunningSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'granary-slapd-'));
  mkdirSync(join(dir, 'db'));
  let tlsLines = '';
  let caPem: string | undefined;
  if (seed.tls) {
    const ca = await createCertificateAuthority('slapd test CA', 2);
    const leaf = await issueCertificate(await signingCa(ca), { commonName: 'localhost', names: ['localhost', '127.0.0.1'], usage: 'server', days: 2 });
    writeFileSync(join(dir, 'ca.crt'), ca.certPem);
    writeFileSync(join(dir, 'server.crt'), leaf.certPem);
    writeFileSync(join(dir, 'server.key'), leaf.keyPem, { mode: 0o600 });
    caPem = ca.certPem;
    tlsLines = `TLSCACertificateFile ${join(dir, 'ca.crt')}\nTLSCertificateFile ${join(dir, 'server.crt')}\nTLSCertificateKeyFile ${join(dir, 'server.key')}\n`;
  }
  writeFileSync(join(dir, 'slapd.conf'), [
    ...SCHEMAS.map((s) => `include /etc/ldap/schema/${s}.schema`),
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    tlsLines,
    'database mdb',
    'maxsize 16777216',
    `suffix "${SUFFIX}"`,
    `rootdn "${ADMIN_DN}"`,
    `rootpw ${ADMIN_PASSWORD}`,
    `directory ${join(dir, 'db')}`,
    // Passwords: only binding with them; everything else readable by bound users, nothing by anonymous ones.
    'access to attrs=userPassword by anonymous auth by * none',
    'access to * by users read by * none',
    '',
  ].join('\n'));

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const tlsPort = seed.tls ? await freePort() : undefined;
    const urls = `ldap://127.0.0.1:${port}/${tlsPort ? ` ldaps://127.0.0.1:${tlsPort}/` : ''}`;
    // -d 0: stay in the foreground (so the test owns the process) without debug output.
    const child: ChildProcess = spawn('/usr/sbin/slapd', ['-f', join(dir, 'slapd.conf'), '-h', urls, '-d', '0'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    const url = `ldap://127.0.0.1:${port}`;
    try {
      await waitUntilAnswering(url, child, () => out);
    } catch (err) {
      lastError = err;
      if (child.exitCode === null) child.kill('SIGKILL');
      continue;
    }
    const ldif = async (tool: 'ldapadd' | 'ldapmodify' | 'ldapdelete', input: string) => {
      await run(`/usr/bin/${tool}`, ['-x', '-H', url, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD, ...(tool === 'ldapdelete' ? [] : [])], cleanEnv(), { input, timeoutMs: 30_000 });
    };
    await ldif('ldapadd', seedLdif(seed.users, seed.groups));
    return {
      url,
      ...(tlsPort ? { ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`, caPem: caPem!, caFile: join(dir, 'ca.crt') } : {}),
      userDn: (uid) => `uid=${uid},${USERS_BASE}`,
      groupDn: (cn) => `cn=${cn},${GROUPS_BASE}`,
      ldif,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`slapd did not start: ${String(lastError)}`);
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${output()}`);
    const probe = await run('/usr/bin/ldapsearch', ['-x', '-H', url, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD, '-s', 'base', '-b', '', '(objectClass=*)', 'namingContexts'], cleanEnv(), { allowFail: true, timeoutMs: 10_000 });
    if (probe.code === 0) return;
    if (Date.now() > deadline) throw new Error(`slapd did not answer at ${url}: ${probe.stderr} ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function seedLdif(users: SeedUser[], groups: SeedGroup[]): string {
  const entries = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Granary test\ndc: granary`,
    `dn: ${LOOKUP_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: granary-lookup\nuserPassword: ${LOOKUP_PASSWORD}`,
    `dn: ${USERS_BASE}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${GROUPS_BASE}\nobjectClass: organizationalUnit\nou: groups`,
    ...users.map((u) => userLdif(u)),
    ...groups.map((g) => `dn: cn=${g.cn},${GROUPS_BASE}\nobjectClass: groupOfNames\ncn: ${g.cn}\n${g.members.map((m) => `member: uid=${m},${USERS_BASE}`).join('\n')}`),
  ];
  return `${entries.join('\n\n')}\n`;
}

export function userLdif(u: SeedUser): string {
  return `dn: uid=${u.uid},${USERS_BASE}\nobjectClass: inetOrgPerson\nuid: ${u.uid}\ncn: ${u.uid}\nsn: ${u.uid}\nuserPassword: ${u.password}`;
}
