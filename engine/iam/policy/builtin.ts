import { parsePolicy } from './parse.js';
import type { Policy } from './policy.js';

/**
 * The built-in policies, with MinIO's names and meanings, so that users and
 * scripts coming from MinIO find them. MinIO's readonly also denies
 * admin:CreateUser; that statement is left out here, since a Deny would
 * override any other policy the user holds that allows it.
 */
const DOCUMENTS: Record<string, object> = {
  consoleAdmin: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['admin:*'] },
      { Effect: 'Allow', Action: ['sts:*'] },
      { Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] },
    ],
  },
  readwrite: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] }],
  },
  readonly: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetObject'], Resource: ['arn:aws:s3:::*'] }],
  },
  writeonly: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::*'] }],
  },
  diagnostics: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'admin:Profiling', 'admin:ServerTrace', 'admin:ConsoleLog', 'admin:ServerInfo', 'admin:TopLocksInfo',
          'admin:OBDInfo', 'admin:BandwidthMonitor', 'admin:Prometheus',
        ],
      },
    ],
  },
};

export const BUILTIN_POLICIES: ReadonlyMap<string, Policy> = new Map(
  Object.entries(DOCUMENTS).map(([name, doc]) => [name, parsePolicy(doc, 'identity', { name })]),
);
