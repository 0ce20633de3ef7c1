/**
 * The two ways `granary admin` fails after its arguments made sense: the
 * server answered with an error (printed as `Code: Message`, as the API
 * names it), or the command could not get that far (no server at the
 * endpoint, a file it could not read). Both exit 1; usage errors exit 2.
 */
export class AdminApiError extends Error {
  override name = 'AdminApiError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export class AdminLocalError extends Error {
  override name = 'AdminLocalError';
}
