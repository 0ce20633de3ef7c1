/**
 * The admin API's answers as the CLI reads them (engine/admin/admin-routes.ts
 * builds them). Kept here as plain wire shapes: the CLI is a client and
 * should break loudly in its tests, not silently, when the API changes.
 */
export interface UserView {
  name: string;
  status: 'enabled' | 'disabled';
  policies: string[];
  inlinePolicies: string[];
  groups: string[];
  hasSecret: boolean;
  mfa: boolean;
  created: string;
}

export interface GroupView {
  name: string;
  status: 'enabled' | 'disabled';
  members: string[];
  policies: string[];
  created: string;
}

export interface PolicySummary {
  name: string;
  builtin: boolean;
  created?: string;
}

export interface PolicyView {
  name: string;
  builtin: boolean;
  policy: unknown;
}

export interface ServiceAccountView {
  accessKey: string;
  parent: string;
  status: 'enabled' | 'disabled';
  name?: string;
  description?: string;
  expiry?: string;
  policy?: unknown;
  created: string;
  /** Only in the answer that creates the key: the secret is shown that once. */
  secretKey?: string;
}

export interface DriveView {
  path: string | null;
  state: 'online' | 'offline';
  totalBytes?: number;
  freeBytes?: number;
}

export interface InfoView {
  version: string;
  region: string;
  deploymentId: string;
  sets: { k: number; m: number; state: string; drives: DriveView[] }[];
}

export interface RootKeys {
  accessKey: string;
  secretKey: string;
}
