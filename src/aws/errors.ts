/**
 * Turns an AWS SDK failure into one line a user can act on: the cause, where, how many attempts were made,
 * and the fix.
 */
import { ActionError, NoCredentialsError, messageOf } from '../shared/errors.js';

/** The minimal IAM policy (JSON text) that grants one action, for AccessDenied messages. */
export type PolicyForAction = (action: string) => string;

export interface AwsCallContext {
  /** The IAM action of the call, e.g. `ecr:GetAuthorizationToken`. */
  action: string;
  /** Region or resource, for the message. */
  where: string;
  maxAttempts: number;
  policyFor: PolicyForAction;
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { attempts?: number; httpStatusCode?: number };
}

const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'ProviderError']);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired', 'TokenRefreshRequired']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidClientTokenId',
]);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException']);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'TimeoutError',
]);

function attemptsText(error: SdkErrorShape, maxAttempts: number): string {
  const attempts = error.$metadata?.attempts;
  return attempts === undefined
    ? `(max-attempts ${maxAttempts})`
    : `after ${attempts} of ${maxAttempts} attempts`;
}

export function describeAwsError(error: unknown, context: AwsCallContext): Error {
  if (error instanceof ActionError) return error;
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = sdk.name ?? sdk.code ?? '';
  const message = messageOf(error).split('\n')[0] ?? '';
  const { action, where } = context;

  if (NO_CREDENTIALS.has(name) || /could not load credentials/i.test(message)) {
    return new NoCredentialsError(
      `No AWS credentials for ${action} in ${where}: add aws-actions/configure-aws-credentials before this step ` +
        `(with OIDC: 'permissions: id-token: write' and 'role-to-assume'), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      { cause: error },
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return new ActionError(
      `Access denied: the AWS identity may not call ${action} in ${where} (${message}). ` +
        `Attach this IAM policy to the role: ${context.policyFor(action)}`,
      { cause: error },
    );
  }
  if (EXPIRED.has(name)) {
    return new ActionError(
      `The AWS security token has expired (${action} in ${where}): refresh the credentials in the same job ` +
        `(aws-actions/configure-aws-credentials, with a 'role-duration-seconds' that covers the job).`,
      { cause: error },
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new ActionError(
      `AWS rejected the credentials for ${action} in ${where} (${name}: ${message}): check the access key, ` +
        `the secret and the session token set by configure-aws-credentials.`,
      { cause: error },
    );
  }
  const attempts = attemptsText(sdk, context.maxAttempts);
  if (THROTTLED.has(name)) {
    return new ActionError(
      `AWS throttled ${action} in ${where} ${attempts} (${message}): raise 'max-attempts' or run fewer jobs at once.`,
      { cause: error },
    );
  }
  if (NETWORK.has(name) || NETWORK.has(sdk.code ?? '')) {
    return new ActionError(
      `Could not reach the AWS API for ${action} in ${where} ${attempts} (${name}: ${message}): ` +
        `check the network, 'http-proxy' / HTTPS_PROXY and NO_PROXY.`,
      { cause: error },
    );
  }
  const status = sdk.$metadata?.httpStatusCode;
  return new ActionError(
    `${action} in ${where} failed ${attempts}: ${name || 'Error'}${status ? ` (HTTP ${status})` : ''}: ${message}`,
    { cause: error },
  );
}
