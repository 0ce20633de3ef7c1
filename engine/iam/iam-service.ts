import { randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { GranaryError } from '../common/errors.js';
import { loadMasterKey, MasterKeyError, newMasterKey, saveMasterKey, unwrapMasterKey, wrapMasterKey } from '../crypto/master-key.js';
import type { SystemStore } from '../object/object-layer.js';
import { IamDb, IamIntegrityError, type Change } from './iam-db.js';
import { readSnapshot, readWrappedKey, writeSnapshot, writeWrappedKey } from './iam-snapshot.js';
import type { Identity } from './identity.js';
import { checkAccessKey, checkPolicyName, checkSecretKey, checkUserName } from './name-rules.js';
import { BUILTIN_POLICIES } from './policy/builtin.js';
import { parsePolicy, PolicyError } from './policy/parse.js';
import type { Policy } from './policy/policy.js';
import type { EntityKind, GroupRecord, IamState, MfaRecord, PolicyRecord, ServiceAccountRecord, SessionRecord, Status, UserRecord } from './records.js';
import { passwordProblem } from './weak-passwords.js';

export interface RootIdentity {
  accessKey: string;
  secretKey: string;
}

export interface IamOptions {
  configDir: string;
  /** Where the encrypted snapshot and the wrapped master key live: the drives. */
  store: SystemStore;
  root: RootIdentity;
  log?: (line: string) => void;
}

export interface ResolvedCredentials {
  secretKey: string;
  identity: Identity;
  /** Temporary credentials: the request must carry the session token whose SHA-256 this is. */
  session?: { tokenSha256: string; /** Set (by `signingCredentials` only) when the session may not be used. */ refusal?: SessionRefusal };
}

/** Why a known session is refused, in the S3 code AWS answers with. */
export interface SessionRefusal {
  code: 'ExpiredToken' | 'AccessDenied';
  message: string;
}

/** Expired and revoked sessions are kept this long past their expiry, so their use is answered as such. */
const SESSION_TOMBSTONE_MS = 24 * 3600_000;

/** What the authorizer needs to decide for one identity. */
export interface IdentityPolicies {
  /** Their union must allow. */
  identity: Policy[];
  /** Each group must also allow (service-account inline policy, session policy). */
  intersect: Policy[][];
}

export interface NewServiceAccount {
  accessKey?: string;
  secretKey?: string;
  policy?: string;
  expiry?: number;
  name?: string;
  description?: string;
}

const DB_FILE = 'granary.db';

/**
 * Users, groups, policies, service accounts and bucket policies: kept in
 * memory for the request path, in `granary.db` for restarts, and as an
 * encrypted snapshot on the drives for a lost config directory. Every change
 * goes through `commit`, which does all three in that order.
 */
export class IamService {
  private readonly parsed = new Map<string, { doc: string; policy: Policy }>();
  /** Per-identity policy sets and group lists, rebuilt after any change: the request path only looks them up. */
  private readonly derived = new Map<string, { policies: IdentityPolicies | 'root'; groups: string[] }>();
  private snapshotChain: Promise<void> = Promise.resolve();
  private snapshotPending = false;
  private readonly changeListeners: ((changes: IamChange[]) => void)[] = [];

  private constructor(
    private readonly db: IamDb,
    private state: IamState,
    private readonly key: Buffer,
    private readonly store: SystemStore,
    private root: RootIdentity,
    private readonly log: (line: string) => void,
  ) {}

  static async open(opts: IamOptions): Promise<IamService> {
    const log = opts.log ?? (() => undefined);
    const dbFile = join(opts.configDir, DB_FILE);
    let key = loadMasterKey(opts.configDir);
    const wrapped = await readWrappedKey(opts.store);
    let restoreFromDrives = false;
    if (!key) {
      if (existsSync(dbFile)) throw new MasterKeyError(`${dbFile} exists but its master key (${join(opts.configDir, 'master.key')}) is missing; restore that file, or remove the config directory to rebuild it from the drives`);
      if (wrapped) {
        try {
          key = unwrapMasterKey(wrapped, opts.root.secretKey);
        } catch (err) {
          throw new MasterKeyError(`the drives hold IAM data sealed under another root password: start with GRANARY_ROOT_USER and GRANARY_ROOT_PASSWORD set to that deployment's root credentials (${(err as Error).message})`);
        }
        restoreFromDrives = true;
      } else {
        key = newMasterKey();
      }
      saveMasterKey(opts.configDir, key);
    }
    const db = new IamDb(dbFile, key);
    let state: IamState;
    try {
      state = db.load();
    } catch (err) {
      if (!(err instanceof IamIntegrityError)) throw err;
      const snapshot = await readSnapshot(opts.store, key);
      if (!snapshot) throw err;
      log(`IAM: ${err.message}; restoring from the snapshot on the drives (generation ${snapshot.generation})`);
      db.close();
      renameSync(dbFile, `${dbFile}.tampered-${Date.now()}`);
      const fresh = new IamDb(dbFile, key);
      state = fresh.importEntities(snapshot.entities, snapshot.generation);
      return IamService.finishOpen(fresh, state, key, opts, log);
    }
    if (restoreFromDrives || db.isEmpty()) {
      const snapshot = await readSnapshot(opts.store, key);
      if (snapshot && snapshot.entities.length > 0) {
        state = db.importEntities(snapshot.entities, snapshot.generation);
        log(`IAM: restored ${snapshot.entities.length} entries from the drives (generation ${snapshot.generation})`);
      }
    }
    return IamService.finishOpen(db, state, key, opts, log);
  }

  private static async finishOpen(db: IamDb, state: IamState, key: Buffer, opts: IamOptions, log: (line: string) => void): Promise<IamService> {
    const iam = new IamService(db, state, key, opts.store, opts.root, log);
    // The wrapped copy must open with today's root password, and the snapshot must be current.
    const wrapped = await readWrappedKey(opts.store);
    let opens = false;
    if (wrapped) {
      try {
        opens = unwrapMasterKey(wrapped, opts.root.secretKey).equals(key);
      } catch {
        opens = false;
      }
    }
    if (!opens) await writeWrappedKey(opts.store, wrapMasterKey(key, opts.root.secretKey));
    const snapshot = await readSnapshot(opts.store, key).catch(() => undefined);
    if (!snapshot || snapshot.generation < db.currentGeneration) await iam.writeSnapshotNow();
    return iam;
  }

  close(): Promise<void> {
    return this.snapshotChain.then(() => this.db.close());
  }

  get rootAccessKey(): string {
    return this.root.accessKey;
  }

  // ---- the request path ------------------------------------------------------

  /** The secret and identity behind an access key, or undefined when it is unknown, disabled or expired. */
  credentials(accessKey: string, now = Date.now()): ResolvedCredentials | undefined {
    if (accessKey === this.root.accessKey) return { secretKey: this.root.secretKey, identity: { type: 'root', accessKey, username: accessKey } };
    const sa = this.state.serviceAccounts.get(accessKey);
    if (sa) {
      if (sa.status !== 'enabled' || (sa.expiry !== undefined && sa.expiry <= now)) return undefined;
      const parentIsRoot = sa.parent === this.root.accessKey;
      if (!parentIsRoot) {
        const parent = this.state.users.get(sa.parent);
        if (!parent || parent.status !== 'enabled') return undefined;
      }
      return { secretKey: sa.secretKey, identity: { type: 'serviceAccount', accessKey, username: sa.parent, parentIsRoot } };
    }
    const user = this.state.users.get(accessKey);
    if (user && user.secretKey !== undefined && user.status === 'enabled') return { secretKey: user.secretKey, identity: { type: 'user', accessKey, username: user.name } };
    if (!this.state.sessions.has(accessKey)) return undefined;
    const session = this.signingCredentials(accessKey, now);
    return session?.session && !session.session.refusal ? session : undefined;
  }

  /**
   * For SigV4 only: like `credentials`, but a known session that may not be
   * used (expired, revoked, its parent disabled or gone) still comes back, with
   * its refusal, so that the signature is checked first and the client then
   * hears ExpiredToken or AccessDenied rather than "unknown key".
   */
  signingCredentials(accessKey: string, now = Date.now()): ResolvedCredentials | undefined {
    const s = this.state.sessions.get(accessKey);
    if (!s) return this.credentials(accessKey, now);
    const refusal = this.sessionRefusal(s, now);
    return {
      secretKey: s.secretKey,
      identity: { type: 'session', accessKey, username: s.parent, parentType: s.parentType, issuer: s.issuer },
      session: { tokenSha256: s.tokenSha256, ...(refusal ? { refusal } : {}) },
    };
  }

  private sessionRefusal(s: SessionRecord, now: number): SessionRefusal | undefined {
    if (s.status === 'revoked') return { code: 'AccessDenied', message: 'These temporary credentials have been revoked.' };
    if (s.expiry <= now) return { code: 'ExpiredToken', message: 'The provided token has expired.' };
    const parentGone: SessionRefusal = { code: 'AccessDenied', message: 'The identity these temporary credentials were issued for is disabled or no longer exists.' };
    switch (s.parentType) {
      case 'root':
        return s.parent === this.root.accessKey ? undefined : parentGone;
      case 'user':
        return this.state.users.get(s.parent)?.status === 'enabled' ? undefined : parentGone;
      case 'serviceAccount': {
        const sa = this.state.serviceAccounts.get(s.parentAccessKey ?? '');
        if (!sa || sa.status !== 'enabled' || (sa.expiry !== undefined && sa.expiry <= now)) return parentGone;
        if (sa.parent !== this.root.accessKey && this.state.users.get(sa.parent)?.status !== 'enabled') return parentGone;
        return undefined;
      }
      case 'federated':
        return undefined;
    }
  }

  /** Policies that decide for an identity; 'root' bypasses policy. */
  policiesFor(identity: Identity): IdentityPolicies | 'root' {
    if (identity.type === 'root') return 'root';
    if (identity.type === 'anonymous') return { identity: [], intersect: [] };
    return this.derivedFor(identity).policies;
  }

  groupsOf(user: string): string[] {
    return this.derivedFor({ type: 'user', accessKey: user, username: user }).groups;
  }

  /** The groups whose names aws:groups carries for an identity. */
  groupsFor(identity: Identity): string[] {
    if (identity.type === 'anonymous') return [];
    return this.derivedFor(identity).groups;
  }

  private derivedFor(identity: Exclude<Identity, { type: 'anonymous' }>): { policies: IdentityPolicies | 'root'; groups: string[] } {
    const cacheKey = `${identity.type}\0${identity.accessKey}`;
    let d = this.derived.get(cacheKey);
    if (!d) {
      d = { policies: this.computePolicies(identity), groups: this.computeGroups(identity) };
      if (this.derived.size > 10_000) this.derived.clear();
      this.derived.set(cacheKey, d);
    }
    return d;
  }

  private computeGroups(identity: Exclude<Identity, { type: 'anonymous' }>): string[] {
    let user = identity.username;
    if (identity.type === 'session') {
      const s = this.state.sessions.get(identity.accessKey);
      // A federated subject is not a local user: a local user of the same name must lend it nothing.
      if (!s || s.parentType === 'federated') return s?.groups ?? [];
      if (s.parentType === 'root') return [];
      user = s.parent;
    }
    return [...this.state.groups.values()].filter((g) => g.members.includes(user)).map((g) => g.name);
  }

  private computePolicies(identity: Identity): IdentityPolicies | 'root' {
    if (identity.type === 'root') return 'root';
    if (identity.type === 'anonymous') return { identity: [], intersect: [] };
    if (identity.type === 'session') return this.sessionPolicies(identity.accessKey);
    if (identity.type === 'serviceAccount') {
      const sa = this.state.serviceAccounts.get(identity.accessKey);
      const inline = sa?.policy !== undefined ? [[this.parseCached(`svcacct:${sa.accessKey}`, sa.policy, 'identity')]] : [];
      if (identity.parentIsRoot) {
        // Root's own keys: full rights unless narrowed by their inline policy.
        return inline.length ? { identity: [BUILTIN_POLICIES.get('consoleAdmin')!], intersect: inline } : 'root';
      }
      return { identity: this.userPolicies(identity.username), intersect: inline };
    }
    return { identity: this.userPolicies(identity.username), intersect: [] };
  }

  /** The parent's rights (or the provider's policies), narrowed by the session policy when one was given. */
  private sessionPolicies(accessKey: string): IdentityPolicies | 'root' {
    const s = this.state.sessions.get(accessKey);
    if (!s) return { identity: [], intersect: [] };
    let base: IdentityPolicies | 'root';
    switch (s.parentType) {
      case 'root':
        base = 'root';
        break;
      case 'user':
        base = { identity: this.userPolicies(s.parent), intersect: [] };
        break;
      case 'serviceAccount':
        base = this.computePolicies({ type: 'serviceAccount', accessKey: s.parentAccessKey ?? '', username: s.parent, parentIsRoot: s.parent === this.root.accessKey });
        break;
      case 'federated':
        base = { identity: (s.policies ?? []).map((p) => this.managedPolicy(p)).filter((p): p is Policy => p !== undefined), intersect: [] };
        break;
    }
    if (s.sessionPolicy === undefined) return base;
    const narrow = [this.parseCached(`sts:${s.accessKey}`, s.sessionPolicy, 'identity')];
    if (base === 'root') return { identity: [BUILTIN_POLICIES.get('consoleAdmin')!], intersect: [narrow] };
    return { identity: base.identity, intersect: [...base.intersect, narrow] };
  }

  bucketPolicy(bucket: string): Policy | undefined {
    const rec = this.state.bucketPolicies.get(bucket);
    return rec ? this.parseCached(`bucket:${bucket}`, rec.document, 'resource', bucket) : undefined;
  }

  private userPolicies(name: string): Policy[] {
    const user = this.state.users.get(name);
    if (!user) return [];
    const out: Policy[] = [];
    for (const p of user.policies) {
      const pol = this.managedPolicy(p);
      if (pol) out.push(pol);
    }
    for (const [pname, doc] of Object.entries(user.inline)) out.push(this.parseCached(`inline:${name}:${pname}`, doc, 'identity'));
    for (const g of this.state.groups.values()) {
      if (g.status !== 'enabled' || !g.members.includes(name)) continue;
      for (const p of g.policies) {
        const pol = this.managedPolicy(p);
        if (pol) out.push(pol);
      }
    }
    return out;
  }

  private managedPolicy(name: string): Policy | undefined {
    const builtin = BUILTIN_POLICIES.get(name);
    if (builtin) return builtin;
    const rec = this.state.policies.get(name);
    return rec ? this.parseCached(`policy:${name}`, rec.document, 'identity') : undefined;
  }

  /** Parsed policies are kept per owner with the text they came from, so an edit is seen at once and nothing is parsed per request. */
  private parseCached(id: string, doc: string, kind: 'identity' | 'resource', bucket?: string): Policy {
    const hit = this.parsed.get(id);
    if (hit && hit.doc === doc) return hit.policy;
    const policy = parsePolicy(doc, kind, { name: id.replace(/^[a-z]+:/, ''), ...(bucket ? { bucket } : {}) });
    if (this.parsed.size > 10_000) this.parsed.clear();
    this.parsed.set(id, { doc, policy });
    return policy;
  }

  // ---- users -----------------------------------------------------------------

  listUsers(): UserRecord[] {
    return [...this.state.users.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  getUser(name: string): UserRecord {
    const u = this.state.users.get(name);
    if (!u) throw new GranaryError('NoSuchEntity', `The user ${JSON.stringify(name)} does not exist.`);
    return u;
  }

  async createUser(name: string, secretKey?: string): Promise<UserRecord> {
    checkUserName(name);
    this.refuseTaken(name);
    if (secretKey !== undefined) this.checkPassword(secretKey, name);
    const user: UserRecord = { name, status: 'enabled', policies: [], inline: {}, created: Date.now(), ...(secretKey !== undefined ? { secretKey } : {}) };
    await this.commit([{ kind: 'user', id: name, record: user }]);
    return user;
  }

  async setUserSecret(name: string, secretKey: string): Promise<void> {
    const user = this.getUser(name);
    this.checkPassword(secretKey, name);
    await this.commit([{ kind: 'user', id: name, record: { ...user, secretKey } }]);
  }

  async setUserStatus(name: string, status: Status): Promise<void> {
    const user = this.getUser(name);
    await this.commit([{ kind: 'user', id: name, record: { ...user, status } }]);
  }

  async updateUser(name: string, change: (u: UserRecord) => UserRecord): Promise<UserRecord> {
    const next = change(structuredClone(this.getUser(name)));
    await this.commit([{ kind: 'user', id: name, record: next }]);
    return next;
  }

  /** Removes the user, their service accounts and their group memberships. */
  async deleteUser(name: string): Promise<void> {
    this.getUser(name);
    const changes: Change[] = [{ kind: 'user', id: name, record: null }];
    if (this.state.mfa.has(name)) changes.push({ kind: 'mfa', id: name, record: null });
    for (const sa of this.state.serviceAccounts.values()) if (sa.parent === name) changes.push({ kind: 'svcacct', id: sa.accessKey, record: null });
    // Their temporary credentials go too: a user later made with the same name must not inherit them.
    for (const s of this.state.sessions.values()) if (s.parentType !== 'federated' && s.parent === name) changes.push({ kind: 'sts', id: s.accessKey, record: null });
    for (const g of this.state.groups.values()) {
      if (g.members.includes(name)) changes.push({ kind: 'group', id: g.name, record: { ...g, members: g.members.filter((m) => m !== name) } });
    }
    await this.commit(changes);
  }

  private checkPassword(secret: string, name: string): void {
    checkSecretKey(secret);
    const problem = passwordProblem(secret, name);
    if (problem) throw new GranaryError('PasswordPolicyViolation', `The secret key is refused: ${problem}.`);
  }

  /** One namespace for root, user names and access keys, so an access key names one identity only. */
  private refuseTaken(name: string): void {
    if (name === this.root.accessKey || this.state.users.has(name) || this.state.serviceAccounts.has(name) || this.state.sessions.has(name)) {
      throw new GranaryError('EntityAlreadyExists', `The name ${JSON.stringify(name)} is already used by a user or access key.`);
    }
  }

  // ---- groups ----------------------------------------------------------------

  listGroups(): GroupRecord[] {
    return [...this.state.groups.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  getGroup(name: string): GroupRecord {
    const g = this.state.groups.get(name);
    if (!g) throw new GranaryError('NoSuchEntity', `The group ${JSON.stringify(name)} does not exist.`);
    return g;
  }

  async createGroup(name: string): Promise<GroupRecord> {
    checkUserName(name, 'group name');
    if (this.state.groups.has(name)) throw new GranaryError('EntityAlreadyExists', `The group ${JSON.stringify(name)} already exists.`);
    const group: GroupRecord = { name, status: 'enabled', members: [], policies: [], created: Date.now() };
    await this.commit([{ kind: 'group', id: name, record: group }]);
    return group;
  }

  async addGroupMembers(name: string, members: string[]): Promise<void> {
    const g = this.getGroup(name);
    for (const m of members) this.getUser(m);
    await this.commit([{ kind: 'group', id: name, record: { ...g, members: [...new Set([...g.members, ...members])].sort() } }]);
  }

  async removeGroupMembers(name: string, members: string[]): Promise<void> {
    const g = this.getGroup(name);
    for (const m of members) if (!g.members.includes(m)) throw new GranaryError('NoSuchEntity', `The user ${JSON.stringify(m)} is not a member of ${JSON.stringify(name)}.`);
    await this.commit([{ kind: 'group', id: name, record: { ...g, members: g.members.filter((m) => !members.includes(m)) } }]);
  }

  async setGroupStatus(name: string, status: Status): Promise<void> {
    const g = this.getGroup(name);
    await this.commit([{ kind: 'group', id: name, record: { ...g, status } }]);
  }

  async deleteGroup(name: string): Promise<void> {
    const g = this.getGroup(name);
    if (g.members.length > 0) throw new GranaryError('DeleteConflict', `The group ${JSON.stringify(name)} still has members; remove them first.`);
    await this.commit([{ kind: 'group', id: name, record: null }]);
  }

  // ---- policies --------------------------------------------------------------

  listPolicies(): { name: string; builtin: boolean; document: string; created?: number }[] {
    const builtin = [...BUILTIN_POLICIES.keys()].map((name) => ({ name, builtin: true, document: JSON.stringify(BUILTIN_POLICIES.get(name)!.source) }));
    const made = [...this.state.policies.values()].map((p) => ({ name: p.name, builtin: false, document: p.document, created: p.created }));
    return [...builtin, ...made].sort((a, b) => a.name.localeCompare(b.name));
  }

  getPolicy(name: string): { name: string; builtin: boolean; document: string; created?: number } {
    const p = this.listPolicies().find((x) => x.name === name);
    if (!p) throw new GranaryError('NoSuchEntity', `The policy ${JSON.stringify(name)} does not exist.`);
    return p;
  }

  async createPolicy(name: string, document: string): Promise<PolicyRecord> {
    checkPolicyName(name);
    if (BUILTIN_POLICIES.has(name)) throw new GranaryError('EntityAlreadyExists', `${JSON.stringify(name)} is a built-in policy.`);
    if (this.state.policies.has(name)) throw new GranaryError('EntityAlreadyExists', `The policy ${JSON.stringify(name)} already exists.`);
    const normalized = validatePolicy(document, 'identity');
    const rec: PolicyRecord = { name, document: normalized, created: Date.now() };
    await this.commit([{ kind: 'policy', id: name, record: rec }]);
    return rec;
  }

  async deletePolicy(name: string): Promise<void> {
    if (BUILTIN_POLICIES.has(name)) throw new GranaryError('InvalidInput', `${JSON.stringify(name)} is a built-in policy and cannot be removed.`);
    if (!this.state.policies.has(name)) throw new GranaryError('NoSuchEntity', `The policy ${JSON.stringify(name)} does not exist.`);
    const users = [...this.state.users.values()].filter((u) => u.policies.includes(name)).map((u) => u.name);
    const groups = [...this.state.groups.values()].filter((g) => g.policies.includes(name)).map((g) => g.name);
    if (users.length + groups.length > 0) {
      throw new GranaryError('DeleteConflict', `The policy ${JSON.stringify(name)} is attached to ${[...users.map((u) => `user ${u}`), ...groups.map((g) => `group ${g}`)].join(', ')}; detach it first.`);
    }
    await this.commit([{ kind: 'policy', id: name, record: null }]);
  }

  async attachPolicies(target: { user: string } | { group: string }, names: string[]): Promise<void> {
    for (const n of names) if (!BUILTIN_POLICIES.has(n) && !this.state.policies.has(n)) throw new GranaryError('NoSuchEntity', `The policy ${JSON.stringify(n)} does not exist.`);
    await this.changeAttachments(target, (list) => [...new Set([...list, ...names])]);
  }

  async detachPolicies(target: { user: string } | { group: string }, names: string[]): Promise<void> {
    await this.changeAttachments(target, (list) => {
      for (const n of names) if (!list.includes(n)) throw new GranaryError('NoSuchEntity', `The policy ${JSON.stringify(n)} is not attached.`);
      return list.filter((p) => !names.includes(p));
    });
  }

  private async changeAttachments(target: { user: string } | { group: string }, change: (list: string[]) => string[]): Promise<void> {
    if ('user' in target) {
      const u = this.getUser(target.user);
      await this.commit([{ kind: 'user', id: u.name, record: { ...u, policies: change(u.policies) } }]);
    } else {
      const g = this.getGroup(target.group);
      await this.commit([{ kind: 'group', id: g.name, record: { ...g, policies: change(g.policies) } }]);
    }
  }

  async putUserPolicy(user: string, name: string, document: string): Promise<void> {
    checkPolicyName(name);
    const normalized = validatePolicy(document, 'identity');
    await this.updateUser(user, (u) => ({ ...u, inline: { ...u.inline, [name]: normalized } }));
  }

  async deleteUserPolicy(user: string, name: string): Promise<void> {
    if (this.getUser(user).inline[name] === undefined) throw new GranaryError('NoSuchEntity', `The user ${JSON.stringify(user)} has no inline policy ${JSON.stringify(name)}.`);
    await this.updateUser(user, (u) => {
      const { [name]: _gone, ...rest } = u.inline;
      return { ...u, inline: rest };
    });
  }

  // ---- service accounts ------------------------------------------------------

  listServiceAccounts(parent?: string): ServiceAccountRecord[] {
    return [...this.state.serviceAccounts.values()].filter((s) => parent === undefined || s.parent === parent).sort((a, b) => a.created - b.created);
  }

  getServiceAccount(accessKey: string): ServiceAccountRecord {
    const s = this.state.serviceAccounts.get(accessKey);
    if (!s) throw new GranaryError('NoSuchEntity', `The access key ${JSON.stringify(accessKey)} does not exist.`);
    return s;
  }

  async createServiceAccount(parent: string, opts: NewServiceAccount = {}): Promise<ServiceAccountRecord> {
    if (parent !== this.root.accessKey) this.getUser(parent);
    const accessKey = opts.accessKey !== undefined ? checkAccessKey(opts.accessKey) : newAccessKey();
    this.refuseTaken(accessKey);
    const secretKey = opts.secretKey !== undefined ? checkSecretKey(opts.secretKey) : randomBytes(30).toString('base64url');
    if (opts.expiry !== undefined && (!Number.isFinite(opts.expiry) || opts.expiry <= Date.now())) throw new GranaryError('InvalidInput', 'The expiry must be in the future.');
    if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.length > 64)) throw new GranaryError('InvalidInput', 'The name may be at most 64 characters.');
    if (opts.description !== undefined && (typeof opts.description !== 'string' || opts.description.length > 256)) throw new GranaryError('InvalidInput', 'The description may be at most 256 characters.');
    const rec: ServiceAccountRecord = {
      accessKey,
      secretKey,
      parent,
      status: 'enabled',
      created: Date.now(),
      ...(opts.policy !== undefined ? { policy: validatePolicy(opts.policy, 'identity') } : {}),
      ...(opts.expiry !== undefined ? { expiry: opts.expiry } : {}),
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.description !== undefined ? { description: opts.description } : {}),
    };
    await this.commit([{ kind: 'svcacct', id: accessKey, record: rec }]);
    return rec;
  }

  async updateServiceAccount(accessKey: string, change: { status?: Status; policy?: string | null; expiry?: number | null; name?: string; description?: string }): Promise<ServiceAccountRecord> {
    const cur = this.getServiceAccount(accessKey);
    const next: ServiceAccountRecord = { ...cur };
    if (change.status !== undefined) next.status = change.status;
    if (change.policy === null) delete next.policy;
    else if (change.policy !== undefined) next.policy = validatePolicy(change.policy, 'identity');
    if (change.expiry === null) delete next.expiry;
    else if (change.expiry !== undefined) next.expiry = change.expiry;
    if (change.name !== undefined) next.name = change.name;
    if (change.description !== undefined) next.description = change.description;
    await this.commit([{ kind: 'svcacct', id: accessKey, record: next }]);
    return next;
  }

  async deleteServiceAccount(accessKey: string): Promise<void> {
    this.getServiceAccount(accessKey);
    const sessions = [...this.state.sessions.values()].filter((s) => s.parentType === 'serviceAccount' && s.parentAccessKey === accessKey);
    await this.commit([{ kind: 'svcacct', id: accessKey, record: null }, ...sessions.map((s) => ({ kind: 'sts' as const, id: s.accessKey, record: null }))]);
  }

  // ---- STS sessions (issued by engine/sts) -------------------------------------

  /** Records a new session; sessions long expired are dropped in the same commit. */
  async createSession(record: SessionRecord, now = Date.now()): Promise<void> {
    this.refuseTaken(record.accessKey);
    const stale = [...this.state.sessions.values()].filter((s) => s.expiry + SESSION_TOMBSTONE_MS <= now);
    await this.commit([{ kind: 'sts', id: record.accessKey, record }, ...stale.map((s) => ({ kind: 'sts' as const, id: s.accessKey, record: null }))]);
  }

  getSession(accessKey: string): SessionRecord {
    const s = this.state.sessions.get(accessKey);
    if (!s) throw new GranaryError('NoSuchEntity', `The temporary access key ${JSON.stringify(accessKey)} does not exist.`);
    return s;
  }

  /** Sessions (active, expired or revoked tombstones), optionally only those of one parent. */
  listSessions(parent?: string): SessionRecord[] {
    return [...this.state.sessions.values()].filter((s) => parent === undefined || s.parent === parent).sort((a, b) => a.created - b.created);
  }

  /** Revokes the named sessions at once; their records stay as tombstones until they expire. Returns how many were active. */
  async revokeSessions(accessKeys: string[]): Promise<number> {
    const active = accessKeys.map((k) => this.getSession(k)).filter((s) => s.status === 'active');
    if (active.length) await this.commit(active.map((s) => ({ kind: 'sts' as const, id: s.accessKey, record: { ...s, status: 'revoked' } })));
    return active.length;
  }

  // ---- bucket policies ---------------------------------------------------------

  getBucketPolicy(bucket: string): string | undefined {
    return this.state.bucketPolicies.get(bucket)?.document;
  }

  async putBucketPolicy(bucket: string, document: string): Promise<void> {
    let normalized: string;
    try {
      normalized = JSON.stringify(parsePolicy(document, 'resource', { bucket, name: `bucket ${bucket}` }).source);
    } catch (err) {
      if (err instanceof PolicyError) throw new GranaryError('MalformedPolicy', `The bucket policy is refused: ${err.message}`);
      throw err;
    }
    await this.commit([{ kind: 'bucket-policy', id: bucket, record: { bucket, document: normalized } }]);
  }

  async deleteBucketPolicy(bucket: string): Promise<void> {
    if (!this.state.bucketPolicies.has(bucket)) return;
    await this.commit([{ kind: 'bucket-policy', id: bucket, record: null }]);
  }

  // ---- settings ------------------------------------------------------------------

  setting(name: string): string | undefined {
    return this.state.settings.get(name);
  }

  async setSetting(name: string, value: string | null): Promise<void> {
    await this.commit([{ kind: 'setting', id: name, record: value === null ? null : { name, value } }]);
  }

  // ---- console MFA and engine secrets ------------------------------------------

  getMfa(name: string): MfaRecord | undefined {
    return this.state.mfa.get(name);
  }

  async setMfa(name: string, mfa: Omit<MfaRecord, 'name'> | null): Promise<void> {
    await this.commit([{ kind: 'mfa', id: name, record: mfa === null ? null : { ...mfa, name } }]);
  }

  secret(name: string): string | undefined {
    return this.state.secrets.get(name);
  }

  async setSecret(name: string, value: string): Promise<void> {
    await this.commit([{ kind: 'secret', id: name, record: { name, value } }]);
  }

  // ---- root --------------------------------------------------------------------

  /** After the root secret changed (rotation): the wrapped master key on the drives follows it. */
  async rootSecretChanged(root: RootIdentity): Promise<void> {
    this.root = root;
    await writeWrappedKey(this.store, wrapMasterKey(this.key, root.secretKey));
  }

  // ---- persistence -----------------------------------------------------------------

  /** The database first (the change is then durable), memory next, the drives' snapshot last. */
  private async commit(changes: Change[]): Promise<void> {
    const before = this.changeListeners.length ? changes.map((c) => recordOf(this.state, c.kind, c.id)) : [];
    this.db.apply(changes);
    for (const c of changes) applyToState(this.state, c.kind, c.id, c.record);
    this.derived.clear();
    if (this.changeListeners.length) {
      const told = changes.map((c, i) => ({ kind: c.kind, id: c.id, before: before[i], after: c.record }));
      for (const listener of this.changeListeners) {
        try {
          listener(told);
        } catch (err) {
          // The change is durable already: a listener failing must not turn it into an error.
          this.log(`IAM: a change listener failed: ${(err as Error).message}`);
        }
      }
    }
    await this.writeSnapshotNow();
  }

  /**
   * Told after each durable change, synchronously in the caller's async
   * context (so the audit log can name the request that made it). Records
   * come as stored, secrets included: the listener redacts.
   */
  onChange(listener: (changes: IamChange[]) => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * Snapshots are written one at a time; changes that land while one is being
   * written are carried by the next. A failed write (drives below quorum) is
   * logged and retried with the next change: the local database already has it.
   */
  private writeSnapshotNow(): Promise<void> {
    if (this.snapshotPending) return this.snapshotChain;
    this.snapshotPending = true;
    this.snapshotChain = this.snapshotChain.then(async () => {
      this.snapshotPending = false;
      try {
        await writeSnapshot(this.store, this.key, { generation: this.db.currentGeneration, entities: this.db.exportEntities() });
      } catch (err) {
        this.log(`IAM: could not write the snapshot to the drives (${(err as Error).message}); it will be retried with the next change`);
      }
    });
    return this.snapshotChain;
  }
}

/** One entity a commit changed: null before (created) or after (removed). */
export interface IamChange {
  kind: EntityKind;
  id: string;
  before: object | null;
  after: object | null;
}

function recordOf(state: IamState, kind: EntityKind, id: string): object | null {
  if (kind === 'setting' || kind === 'secret') {
    const value = (kind === 'setting' ? state.settings : state.secrets).get(id);
    return value === undefined ? null : { name: id, value };
  }
  const maps: Record<Exclude<EntityKind, 'setting' | 'secret'>, Map<string, object>> = {
    user: state.users,
    group: state.groups,
    policy: state.policies,
    svcacct: state.serviceAccounts,
    'bucket-policy': state.bucketPolicies,
    mfa: state.mfa,
    sts: state.sessions,
  };
  return maps[kind].get(id) ?? null;
}

function applyToState(state: IamState, kind: EntityKind, id: string, record: object | null): void {
  const maps: Record<Exclude<EntityKind, 'setting' | 'secret'>, Map<string, unknown>> = {
    user: state.users,
    group: state.groups,
    policy: state.policies,
    svcacct: state.serviceAccounts,
    'bucket-policy': state.bucketPolicies,
    mfa: state.mfa,
    sts: state.sessions,
  };
  if (kind === 'setting' || kind === 'secret') {
    const map = kind === 'setting' ? state.settings : state.secrets;
    if (record === null) map.delete(id);
    else map.set(id, (record as { value: string }).value);
    return;
  }
  if (record === null) maps[kind].delete(id);
  else maps[kind].set(id, record);
}

/** Strict validation; the stored text is the document as given, once it parses. */
function validatePolicy(document: string, kind: 'identity' | 'resource'): string {
  try {
    parsePolicy(document, kind);
  } catch (err) {
    if (err instanceof PolicyError) throw new GranaryError('MalformedPolicyDocument', err.message);
    throw err;
  }
  return document;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function newAccessKey(): string {
  const bytes = randomBytes(40);
  let out = 'GK';
  for (const b of bytes) {
    if (out.length === 20) break;
    if (b < 252) out += KEY_ALPHABET[b % 36];
  }
  return out;
}
