import { GranaryError } from '../common/errors.js';

/**
 * Parameters of AssumeRole* that Granary does not implement. Ignoring them
 * would hand out credentials other than those asked for (broader without the
 * managed session policies, without the MFA check …), so they are refused.
 */
const UNSUPPORTED = [
  { prefix: 'PolicyArns.', what: 'Managed session policies (PolicyArns); pass the policy text in Policy instead' },
  { prefix: 'Tags.', what: 'Session tags (Tags)' },
  { prefix: 'TransitiveTagKeys.', what: 'Session tags (TransitiveTagKeys)' },
  { prefix: 'ProvidedContexts.', what: 'Trusted context assertions (ProvidedContexts)' },
  { prefix: 'SerialNumber', what: 'MFA for AssumeRole (SerialNumber, TokenCode)' },
  { prefix: 'TokenCode', what: 'MFA for AssumeRole (SerialNumber, TokenCode)' },
];

export function refuseUnsupported(form: URLSearchParams): void {
  for (const name of form.keys()) {
    const hit = UNSUPPORTED.find((u) => name === u.prefix || (u.prefix.endsWith('.') && name.startsWith(u.prefix)));
    if (hit) throw new GranaryError('NotImplemented', `${hit.what} are not implemented by Granary.`);
  }
}
