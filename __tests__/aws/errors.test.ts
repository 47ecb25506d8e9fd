import { describe, expect, test } from '@jest/globals';
import { describeAwsError, type AwsCallContext } from '../../src/aws/errors.js';
import { ActionError } from '../../src/shared/errors.js';
import { loginPolicyFor } from '../fixtures/policy.js';

const context: AwsCallContext = {
  action: 'ecr:GetAuthorizationToken',
  where: 'eu-west-1',
  maxAttempts: 4,
  policyFor: loginPolicyFor,
};

function sdkError(name: string, message: string, metadata?: { attempts?: number; httpStatusCode?: number }) {
  return Object.assign(new Error(message), { name, ...(metadata ? { $metadata: metadata } : {}) });
}

function networkError(code: string, message: string, attempts?: number) {
  return Object.assign(new Error(message), { code, ...(attempts ? { $metadata: { attempts } } : {}) });
}

const NO_CREDENTIALS = 'No AWS credentials for ecr:GetAuthorizationToken in eu-west-1';
const ACCESS_DENIED = 'Access denied: the AWS identity may not call ecr:GetAuthorizationToken in eu-west-1';
const EXPIRED = 'The AWS security token has expired (ecr:GetAuthorizationToken in eu-west-1)';
const REJECTED = 'AWS rejected the credentials for ecr:GetAuthorizationToken in eu-west-1';
const THROTTLED = 'AWS throttled ecr:GetAuthorizationToken in eu-west-1';
const UNREACHABLE = 'Could not reach the AWS API for ecr:GetAuthorizationToken in eu-west-1';

describe('describeAwsError', () => {
  test.each<[string, unknown, string[]]>([
    [
      'CredentialsProviderError',
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      [NO_CREDENTIALS, 'configure-aws-credentials', "'permissions: id-token: write'", 'AWS_ACCESS_KEY_ID'],
    ],
    ['ProviderError', sdkError('ProviderError', 'nope'), [NO_CREDENTIALS]],
    [
      'an unnamed "Could not load credentials"',
      new Error('Could not load credentials from any providers'),
      [NO_CREDENTIALS],
    ],
    [
      'AccessDeniedException: the AWS message and the policy that fixes it',
      sdkError(
        'AccessDeniedException',
        'User: arn:aws:iam::1:user/ci is not authorized to perform: ecr:GetAuthorizationToken',
        {
          attempts: 1,
          httpStatusCode: 400,
        },
      ),
      [
        ACCESS_DENIED,
        '(User: arn:aws:iam::1:user/ci is not authorized to perform: ecr:GetAuthorizationToken)',
        `Attach this IAM policy to the role: ${loginPolicyFor('ecr:GetAuthorizationToken')}`,
      ],
    ],
    ['AccessDenied', sdkError('AccessDenied', 'denied'), [ACCESS_DENIED]],
    [
      'ExpiredTokenException',
      sdkError('ExpiredTokenException', 'expired'),
      [EXPIRED, "'role-duration-seconds'"],
    ],
    ['ExpiredToken', sdkError('ExpiredToken', 'expired'), [EXPIRED]],
    ['RequestExpired', sdkError('RequestExpired', 'expired'), [EXPIRED]],
    [
      'UnrecognizedClientException',
      sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      [`${REJECTED} (UnrecognizedClientException: The security token included in the request is invalid.)`],
    ],
    ['InvalidSignatureException', sdkError('InvalidSignatureException', 'bad signature'), [REJECTED]],
    [
      'ThrottlingException with $metadata.attempts',
      sdkError('ThrottlingException', 'Rate exceeded', { attempts: 4, httpStatusCode: 400 }),
      [`${THROTTLED} after 4 of 4 attempts (Rate exceeded): raise 'max-attempts'`],
    ],
    [
      'ThrottlingException without $metadata',
      sdkError('ThrottlingException', 'Rate exceeded'),
      [`${THROTTLED} (max-attempts 4) (Rate exceeded)`],
    ],
    [
      'TooManyRequestsException',
      sdkError('TooManyRequestsException', 'slow down', { attempts: 2 }),
      [`${THROTTLED} after 2 of 4`],
    ],
    ...(
      [
        ['ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'],
        ['ECONNRESET', 'socket hang up'],
        ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:443'],
        ['ENOTFOUND', 'getaddrinfo ENOTFOUND api.ecr.eu-west-1.amazonaws.com'],
        ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.ecr.eu-west-1.amazonaws.com'],
        ['EPIPE', 'write EPIPE'],
      ] as const
    ).map(([code, message]): [string, unknown, string[]] => [
      `network error ${code}`,
      networkError(code, message, 4),
      [`${UNREACHABLE} after 4 of 4 attempts`, message, "'http-proxy' / HTTPS_PROXY and NO_PROXY"],
    ]),
    [
      'a TimeoutError by name',
      sdkError('TimeoutError', 'Connection timed out after 5000 ms'),
      [UNREACHABLE, 'timed out'],
    ],
    [
      'anything else: name, HTTP status and attempts',
      sdkError('ServerException', 'Internal error\nsecond line', { attempts: 4, httpStatusCode: 500 }),
      [
        'ecr:GetAuthorizationToken in eu-west-1 failed after 4 of 4 attempts: ServerException (HTTP 500): Internal error',
      ],
    ],
    [
      'a thrown string',
      'boom',
      ['ecr:GetAuthorizationToken in eu-west-1 failed (max-attempts 4): Error: boom'],
    ],
  ])('%s', (_name, thrown, parts) => {
    const described = describeAwsError(thrown, context);
    expect(described).toBeInstanceOf(ActionError);
    expect(described.cause).toBe(thrown);
    for (const part of parts) expect(described.message).toContain(part);
    // One line: a multi-line SDK message is cut to its first line.
    expect(described.message).not.toContain('\n');
  });

  test('an ActionError already says what to do: passed through as it is', () => {
    const original = new ActionError('ECR returned no authorization data for eu-west-1.');
    expect(describeAwsError(original, context)).toBe(original);
  });

  test('ECR Public: the policy also grants sts:GetServiceBearerToken', () => {
    const described = describeAwsError(sdkError('AccessDeniedException', 'no'), {
      ...context,
      action: 'ecr-public:GetAuthorizationToken',
      where: 'us-east-1',
    });
    const policy = JSON.parse(described.message.slice(described.message.indexOf('{'))) as {
      Statement: { Action: string[] }[];
    };
    expect(policy.Statement.flatMap((statement) => statement.Action)).toEqual([
      'ecr-public:GetAuthorizationToken',
      'sts:GetServiceBearerToken',
    ]);
  });
});
