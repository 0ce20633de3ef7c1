import type { IamService } from '../../iam/iam-service.js';
import type { Caller } from './caller.js';

/** One IAM request, as an operation sees it. */
export interface IamCall {
  iam: IamService;
  form: URLSearchParams;
  caller: Caller;
  accountId: string;
  /** When the handler was made: the creation date shown for root and built-in policies, which record none. */
  startedAt: number;
}

/** The children of `<ActionResult>`; undefined for actions AWS answers with metadata only. */
export type IamResult = Record<string, unknown> | undefined;

export interface Operation {
  /** The Granary admin action (MinIO's name) the authorizer is asked about. */
  adminAction: string;
  /** True when this request acts on the caller's own record or keys: then no admin right is needed. */
  selfService?: (call: IamCall) => boolean;
  run(call: IamCall): Promise<IamResult>;
}
