// Who the credentials belong to (STS GetCallerIdentity), shown before anything in the account changes.
import { environmentError } from '../errors.js';
import type { StsApi } from './clients.js';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
/** arn:<partition>:iam::<account>:user/x, arn:<partition>:sts::<account>:assumed-role/r/s, ...:root */
const CALLER_ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):\S+$/;

/**
 * Asks STS who is calling. An answer without a 12-digit account and a matching IAM/STS ARN means the endpoint or the
 * credentials are not what they seem (a proxy, a half-configured emulator), so nothing is deployed on top of it.
 */
export async function callerIdentity(sts: StsApi): Promise<CallerIdentity> {
  const answer = await sts.getCallerIdentity({});
  const account = answer.Account ?? '';
  const arn = answer.Arn ?? '';
  const arnAccount = CALLER_ARN.exec(arn)?.[2];
  if (!ACCOUNT_ID.test(account) || !arnAccount || arnAccount !== account) {
    const got = `Account ${JSON.stringify(answer.Account ?? null)}, Arn ${JSON.stringify(answer.Arn ?? null)}`;
    throw environmentError(
      `STS GetCallerIdentity gave no usable account and caller (${got}), so it is unclear which account would be changed.`,
      'Check your credentials and --endpoint-url; `aws sts get-caller-identity` shows what your configuration resolves to.',
    );
  }
  return { account, arn, ...(answer.UserId ? { userId: answer.UserId } : {}) };
}

/** "account 123456789012 as arn:aws:iam::123456789012:user/alice, region eu-west-1" */
function describeIdentity(identity: CallerIdentity, region: string): string {
  return `account ${identity.account} as ${identity.arn}, region ${region}`;
}

/** The line printed before anything changes: where (AWS or the endpoint), whose account, as whom, and which keys. */
export function identityLine(clients: { endpoint?: string; region: string; credentials: string }, identity: CallerIdentity): string {
  const dummy = clients.credentials === 'dummy' ? ' (dummy credentials: none are configured)' : '';
  return `${clients.endpoint ? `Endpoint ${clients.endpoint}: ` : 'AWS '}${describeIdentity(identity, clients.region)}${dummy}`;
}
