/** The AWS IAM query API over Granary's IAM: see handler.ts. */
export { createIamQueryHandler, type IamQueryDeps } from './handler.js';
export { DEFAULT_ACCOUNT_ID } from './arns.js';
