import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { ECRClient, ECRServiceException, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  ECRPUBLICClient,
  GetAuthorizationTokenCommand as GetPublicAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr-public';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeToken, fetchPrivateCredentials, fetchPublicCredentials } from '../../src/aws/auth-tokens.js';
import type { RegistryCredentials } from '../../src/login/plan.js';
import { ActionError } from '../../src/shared/errors.js';
import { loginPolicyFor } from '../fixtures/policy.js';
import {
  groupByRegion,
  parseRegistry,
  type RegionGroup,
  type RegistrySpec,
} from '../../src/login/registries.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const EXPIRES = new Date('2030-01-02T03:04:05.000Z');
const settings = { maxAttempts: 3 };
const savedEnv = { ...process.env };

function token(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

function endpoint(account: string, region: string): string {
  return `https://${account}.dkr.ecr.${region}.amazonaws.com`;
}

function groups(...items: [string, string?][]): RegionGroup[] {
  const specs = items.map(([item, region]) => {
    const spec = parseRegistry(item, region);
    if (typeof spec === 'string') throw new Error(spec);
    return spec;
  });
  return groupByRegion(specs);
}

const ownRegistry = (region: string): RegionGroup[] =>
  groupByRegion([{ region, fips: false, dualStack: false } satisfies RegistrySpec]);

async function regionOf(client: unknown): Promise<string> {
  return (client as { config: { region: () => Promise<string> } }).config.region();
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function restoreEnv(): void {
  for (const name of Object.keys(process.env)) {
    if (!(name in savedEnv)) Reflect.deleteProperty(process.env, name);
  }
  Object.assign(process.env, savedEnv);
}

describe('decodeToken', () => {
  test.each<[string, string, { username: string; password: string } | RegExp]>([
    ['user and password', token('AWS', 'pass'), { username: 'AWS', password: 'pass' }],
    ['a password holding colons', token('AWS', 'a:b::c'), { username: 'AWS', password: 'a:b::c' }],
    ['no colon', Buffer.from('AWSpass').toString('base64'), /not base64 of user:password/],
    ['empty user', token('', 'pass'), /not base64 of user:password/],
    ['empty password', token('AWS', ''), /not base64 of user:password/],
  ])('%s', (_name, encoded, expected) => {
    if (expected instanceof RegExp) expect(() => decodeToken(encoded)).toThrow(expected);
    else expect(decodeToken(encoded)).toEqual(expected);
  });
});

describe('private registries (mocked ECR)', () => {
  let ecr: AwsClientStub<ECRClient>;

  beforeEach(() => {
    ecr = mockClient(ECRClient);
  });

  afterEach(() => {
    ecr.restore();
  });

  test('one call per region, each with all the accounts of that region', async () => {
    ecr.on(GetAuthorizationTokenCommand).callsFake(async (input: { registryIds: string[] }, getClient) => {
      const region = await regionOf(getClient());
      return {
        authorizationData: input.registryIds.map((id) => ({
          authorizationToken: token('AWS', `pw-${id}-${region}`),
          expiresAt: EXPIRES,
          proxyEndpoint: endpoint(id, region),
        })),
      };
    });

    const credentials = await fetchPrivateCredentials(
      groups([A, 'eu-west-1'], [B, 'eu-west-1'], [`${C}.dkr.ecr.us-east-2.amazonaws.com`], [A, 'eu-west-1']),
      settings,
      {},
      loginPolicyFor,
    );

    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 2);
    // (registryIds no longer narrows a token, hence deprecated, but it still returns each proxyEndpoint.)
    const requested = ecr.commandCalls(GetAuthorizationTokenCommand).map((call) => call.args[0].input);
    expect(requested).toEqual([{ registryIds: [A, B] }, { registryIds: [C] }]);
    expect(credentials).toEqual([
      {
        region: 'eu-west-1',
        accountId: A,
        endpointHost: `${A}.dkr.ecr.eu-west-1.amazonaws.com`,
        username: 'AWS',
        password: `pw-${A}-eu-west-1`,
        expiresAt: EXPIRES,
      },
      {
        region: 'eu-west-1',
        accountId: B,
        endpointHost: `${B}.dkr.ecr.eu-west-1.amazonaws.com`,
        username: 'AWS',
        password: `pw-${B}-eu-west-1`,
        expiresAt: EXPIRES,
      },
      {
        region: 'us-east-2',
        accountId: C,
        endpointHost: `${C}.dkr.ecr.us-east-2.amazonaws.com`,
        username: 'AWS',
        password: `pw-${C}-us-east-2`,
        expiresAt: EXPIRES,
      },
    ] satisfies RegistryCredentials[]);
  });

  test("the caller's own registry: no registryIds, account from the proxyEndpoint", async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: token('AWS', 'pw'),
          expiresAt: EXPIRES,
          proxyEndpoint: endpoint(A, 'eu-north-1'),
        },
      ],
    });
    const credentials = await fetchPrivateCredentials(
      ownRegistry('eu-north-1'),
      settings,
      {},
      loginPolicyFor,
    );
    expect(ecr).toHaveReceivedCommandWith(GetAuthorizationTokenCommand, {});
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)[0]!.args[0].input).toEqual({});
    expect(credentials).toMatchObject([
      { accountId: A, endpointHost: `${A}.dkr.ecr.eu-north-1.amazonaws.com` },
    ]);
  });

  test('regions are fetched in parallel', async () => {
    const started: string[] = [];
    let release!: () => void;
    const allStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    ecr.on(GetAuthorizationTokenCommand).callsFake(async (input: { registryIds: string[] }, getClient) => {
      const region = await regionOf(getClient());
      started.push(region);
      if (started.length === 3) release();
      // With sequential calls the first region would wait here for ever: fail instead of hanging.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        allStarted,
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`only ${started.join()} started`));
          }, 2000);
        }),
      ]).finally(() => {
        clearTimeout(timer);
      });
      return {
        authorizationData: input.registryIds.map((id) => ({
          authorizationToken: token('AWS', 'pw'),
          proxyEndpoint: endpoint(id, region),
        })),
      };
    });
    const credentials = await fetchPrivateCredentials(
      groups([A, 'us-east-1'], [A, 'eu-west-1'], [A, 'ap-northeast-1']),
      settings,
      {},
      loginPolicyFor,
    );
    expect([...started].sort()).toEqual(['ap-northeast-1', 'eu-west-1', 'us-east-1']);
    expect(credentials.map((entry) => entry.region)).toEqual(['us-east-1', 'eu-west-1', 'ap-northeast-1']);
  });

  test('each region gets a client of its own region; a FIPS registry gets a FIPS client', async () => {
    const seen: { region: string; fips: boolean }[] = [];
    ecr.on(GetAuthorizationTokenCommand).callsFake(async (input: { registryIds: string[] }, getClient) => {
      const client = getClient() as unknown as {
        config: { region: () => Promise<string>; useFipsEndpoint: () => Promise<boolean> };
      };
      const region = await client.config.region();
      seen.push({ region, fips: await client.config.useFipsEndpoint() });
      return {
        authorizationData: input.registryIds.map((id) => ({
          authorizationToken: token('AWS', 'pw'),
          proxyEndpoint: endpoint(id, region),
        })),
      };
    });
    await fetchPrivateCredentials(
      groups([`${A}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`], [B, 'eu-west-1']),
      settings,
      {},
      loginPolicyFor,
    );
    expect(seen).toEqual([
      { region: 'us-gov-west-1', fips: true },
      { region: 'eu-west-1', fips: false },
    ]);
  });

  test('tokens are paired with accounts by the proxyEndpoint, whatever order ECR answers in', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: token('AWS', 'pw-b'),
          expiresAt: EXPIRES,
          proxyEndpoint: endpoint(B, 'eu-west-1'),
        },
        {
          authorizationToken: token('AWS', 'pw-a'),
          expiresAt: EXPIRES,
          proxyEndpoint: endpoint(A, 'eu-west-1'),
        },
      ],
    });
    const credentials = await fetchPrivateCredentials(
      groups([A, 'eu-west-1'], [B, 'eu-west-1']),
      settings,
      {},
      loginPolicyFor,
    );
    expect(credentials.map((entry) => [entry.accountId, entry.password])).toEqual([
      [B, 'pw-b'],
      [A, 'pw-a'],
    ]);
  });

  test('a proxyEndpoint without an account (a local ECR stand-in) is paired by position', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token('AWS', 'pw-a'), proxyEndpoint: 'http://localhost:5000' },
        { authorizationToken: token('AWS', 'pw-b'), proxyEndpoint: 'http://localhost:5001' },
      ],
    });
    const credentials = await fetchPrivateCredentials(
      groups([A, 'eu-west-1'], [B, 'eu-west-1']),
      settings,
      {},
      loginPolicyFor,
    );
    expect(credentials.map((entry) => [entry.accountId, entry.endpointHost, entry.password])).toEqual([
      [A, 'localhost:5000', 'pw-a'],
      [B, 'localhost:5001', 'pw-b'],
    ]);
  });

  test('a token without expiresAt is taken to last 12 hours', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token('AWS', 'pw'), proxyEndpoint: endpoint(A, 'eu-west-1') },
      ],
    });
    const before = Date.now();
    const [credentials] = await fetchPrivateCredentials(
      groups([A, 'eu-west-1']),
      settings,
      {},
      loginPolicyFor,
    );
    const lifetime = credentials!.expiresAt.getTime() - before;
    expect(lifetime).toBeGreaterThanOrEqual(12 * 3600 * 1000);
    expect(lifetime).toBeLessThan(12 * 3600 * 1000 + 60_000);
  });

  test.each<[string, unknown, RegExp]>([
    ['no authorizationData', {}, /^ECR returned no authorization data for eu-west-1\.$/],
    [
      'empty authorizationData',
      { authorizationData: [] },
      /^ECR returned no authorization data for eu-west-1\.$/,
    ],
    [
      'no token',
      { authorizationData: [{ proxyEndpoint: endpoint(A, 'eu-west-1') }] },
      /^ECR returned no authorization token for eu-west-1\.$/,
    ],
    [
      'no proxyEndpoint',
      { authorizationData: [{ authorizationToken: token('AWS', 'pw') }] },
      /^ECR returned no proxyEndpoint for eu-west-1\.$/,
    ],
    [
      'a token that is not user:password',
      {
        authorizationData: [
          {
            authorizationToken: Buffer.from('nocolon').toString('base64'),
            proxyEndpoint: endpoint(A, 'eu-west-1'),
          },
        ],
      },
      /not base64 of user:password/,
    ],
  ])('missing data: %s', async (_name, response, message) => {
    ecr.on(GetAuthorizationTokenCommand).resolves(response as never);
    const error = await rejectionOf(
      fetchPrivateCredentials(groups([A, 'eu-west-1']), settings, {}, loginPolicyFor),
    );
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toMatch(message);
  });

  test('one failing region fails the whole login', async () => {
    ecr.on(GetAuthorizationTokenCommand).callsFake(async (input: { registryIds: string[] }, getClient) => {
      const region = await regionOf(getClient());
      if (region === 'us-west-2') return {};
      return {
        authorizationData: input.registryIds.map((id) => ({
          authorizationToken: token('AWS', 'pw'),
          proxyEndpoint: endpoint(id, region),
        })),
      };
    });
    await expect(
      fetchPrivateCredentials(groups([A, 'eu-west-1'], [A, 'us-west-2']), settings, {}, loginPolicyFor),
    ).rejects.toThrow('ECR returned no authorization data for us-west-2.');
  });

  const serviceError = (name: string, message: string, attempts = 1, httpStatusCode = 400) =>
    new ECRServiceException({ name, $fault: 'client', message, $metadata: { attempts, httpStatusCode } });

  test.each<[string, unknown, (string | RegExp)[]]>([
    [
      'CredentialsProviderError',
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      [
        'No AWS credentials for ecr:GetAuthorizationToken in eu-west-1',
        'aws-actions/configure-aws-credentials',
      ],
    ],
    [
      'AccessDeniedException',
      serviceError(
        'AccessDeniedException',
        'User: arn:aws:sts::111111111111:assumed-role/ci/x is not authorized to perform: ecr:GetAuthorizationToken',
      ),
      [
        'Access denied: the AWS identity may not call ecr:GetAuthorizationToken in eu-west-1',
        'is not authorized to perform: ecr:GetAuthorizationToken',
        loginPolicyFor('ecr:GetAuthorizationToken'),
      ],
    ],
    [
      'ExpiredTokenException',
      serviceError('ExpiredTokenException', 'The security token included in the request is expired'),
      [
        'The AWS security token has expired (ecr:GetAuthorizationToken in eu-west-1)',
        'role-duration-seconds',
      ],
    ],
    [
      'UnrecognizedClientException',
      serviceError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      [
        'AWS rejected the credentials for ecr:GetAuthorizationToken in eu-west-1 (UnrecognizedClientException: The security token included in the request is invalid.)',
      ],
    ],
    [
      'ThrottlingException after every attempt',
      serviceError('ThrottlingException', 'Rate exceeded', 3),
      [
        'AWS throttled ecr:GetAuthorizationToken in eu-west-1 after 3 of 3 attempts (Rate exceeded)',
        'max-attempts',
      ],
    ],
    [
      'a network error',
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
        code: 'ECONNREFUSED',
        $metadata: { attempts: 3 },
      }),
      [
        'Could not reach the AWS API for ecr:GetAuthorizationToken in eu-west-1 after 3 of 3 attempts',
        'connect ECONNREFUSED 10.0.0.1:443',
        'HTTPS_PROXY',
      ],
    ],
    [
      'anything else',
      serviceError('ServerException', 'Internal failure', 3, 500),
      [
        'ecr:GetAuthorizationToken in eu-west-1 failed after 3 of 3 attempts: ServerException (HTTP 500): Internal failure',
      ],
    ],
  ])('error translation: %s', async (_name, thrown, expected) => {
    ecr.on(GetAuthorizationTokenCommand).rejects(thrown as Error);
    const error = await rejectionOf(
      fetchPrivateCredentials(groups([A, 'eu-west-1']), settings, {}, loginPolicyFor),
    );
    expect(error).toBeInstanceOf(ActionError);
    expect(error.cause).toBe(thrown);
    for (const part of expected) expect(error.message).toContain(part);
  });
});

describe('ECR Public (mocked)', () => {
  let ecrPublic: AwsClientStub<ECRPUBLICClient>;
  let ecr: AwsClientStub<ECRClient>;

  beforeEach(() => {
    ecrPublic = mockClient(ECRPUBLICClient);
    ecr = mockClient(ECRClient);
  });

  afterEach(() => {
    ecrPublic.restore();
    ecr.restore();
  });

  test('one call in us-east-1, whatever the job region, for public.ecr.aws', async () => {
    let region = '';
    ecrPublic.on(GetPublicAuthorizationTokenCommand).callsFake(async (_input, getClient) => {
      region = await regionOf(getClient());
      return { authorizationData: { authorizationToken: token('AWS', 'p:w'), expiresAt: EXPIRES } };
    });
    const credentials = await fetchPublicCredentials(settings, { AWS_REGION: 'eu-west-1' }, loginPolicyFor);
    expect(region).toBe('us-east-1');
    expect(ecrPublic).toHaveReceivedCommandTimes(GetPublicAuthorizationTokenCommand, 1);
    expect(ecr).not.toHaveReceivedAnyCommand();
    expect(credentials).toEqual({
      region: 'us-east-1',
      endpointHost: 'public.ecr.aws',
      username: 'AWS',
      password: 'p:w',
      expiresAt: EXPIRES,
    } satisfies RegistryCredentials);
  });

  test.each<[string, () => void, string[]]>([
    [
      'no authorization data',
      () => ecrPublic.on(GetPublicAuthorizationTokenCommand).resolves({}),
      ['ECR Public returned no authorization data.'],
    ],
    [
      'access denied: the policy names sts:GetServiceBearerToken too',
      () =>
        ecrPublic
          .on(GetPublicAuthorizationTokenCommand)
          .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })),
      ['ecr-public:GetAuthorizationToken in us-east-1', 'sts:GetServiceBearerToken'],
    ],
  ])('%s', async (_name, arrange, expected) => {
    arrange();
    const error = await rejectionOf(fetchPublicCredentials(settings, {}, loginPolicyFor));
    for (const part of expected) expect(error.message).toContain(part);
  });
});

interface Exchange {
  attemptHeader: string | undefined;
  authorization: string | undefined;
  target: string | undefined;
  body: string;
}

/**
 * A stand-in for the ECR API on 127.0.0.1: the real SDK (signing, retries, parsing) talks to it through
 * AWS_ENDPOINT_URL_ECR. `respond` answers each request in turn.
 */
describe('against a local ECR API (real SDK, real retries)', () => {
  let server: http.Server;
  let exchanges: Exchange[];
  let respond: (index: number, response: http.ServerResponse) => void;

  const json = (
    response: http.ServerResponse,
    status: number,
    body: unknown,
    headers: http.OutgoingHttpHeaders = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers });
    response.end(JSON.stringify(body));
  };

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        exchanges.push({
          attemptHeader: request.headers['amz-sdk-request'] as string | undefined,
          authorization: request.headers.authorization,
          target: request.headers['x-amz-target'] as string | undefined,
          body,
        });
        respond(exchanges.length - 1, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    exchanges = [];
    const { port } = server.address() as AddressInfo;
    process.env.AWS_ENDPOINT_URL_ECR = `http://127.0.0.1:${port}`;
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
  });

  afterEach(restoreEnv);

  const ok = (response: http.ServerResponse) => {
    json(response, 200, {
      authorizationData: [
        {
          authorizationToken: token('AWS', 'local:secret'),
          expiresAt: EXPIRES.getTime() / 1000,
          proxyEndpoint: endpoint(A, 'eu-west-1'),
        },
      ],
    });
  };

  test('a signed GetAuthorizationToken request with the account IDs, parsed into credentials', async () => {
    respond = (_index, response) => {
      ok(response);
    };
    const credentials = await fetchPrivateCredentials(
      groups([A, 'eu-west-1']),
      { maxAttempts: 3 },
      process.env,
      loginPolicyFor,
    );
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]!.target).toBe('AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    expect(JSON.parse(exchanges[0]!.body)).toEqual({ registryIds: [A] });
    expect(exchanges[0]!.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/ecr\/aws4_request/,
    );
    expect(credentials).toEqual([
      {
        region: 'eu-west-1',
        accountId: A,
        endpointHost: `${A}.dkr.ecr.eu-west-1.amazonaws.com`,
        username: 'AWS',
        password: 'local:secret',
        expiresAt: EXPIRES,
      },
    ]);
  });

  test('a 503 is retried; success on the second attempt', async () => {
    respond = (index, response) => {
      if (index === 0) json(response, 503, { __type: 'ServiceUnavailableException', message: 'try again' });
      else ok(response);
    };
    const credentials = await fetchPrivateCredentials(
      groups([A, 'eu-west-1']),
      { maxAttempts: 3 },
      process.env,
      loginPolicyFor,
    );
    expect(exchanges.map((exchange) => exchange.attemptHeader)).toEqual([
      expect.stringMatching(/attempt=1; max=3/),
      expect.stringMatching(/attempt=2; max=3/),
    ]);
    expect(credentials[0]!.password).toBe('local:secret');
  });

  test('a 503 on every attempt: exactly max-attempts requests, and the message says so', async () => {
    respond = (_index, response) => {
      json(response, 503, { __type: 'ServiceUnavailableException', message: 'busy' });
    };
    const error = await rejectionOf(
      fetchPrivateCredentials(groups([A, 'eu-west-1']), { maxAttempts: 3 }, process.env, loginPolicyFor),
    );
    expect(exchanges).toHaveLength(3);
    expect(exchanges.map((exchange) => exchange.attemptHeader)).toEqual([
      expect.stringMatching(/attempt=1; max=3/),
      expect.stringMatching(/attempt=2; max=3/),
      expect.stringMatching(/attempt=3; max=3/),
    ]);
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toContain('ecr:GetAuthorizationToken in eu-west-1 failed after 3 of 3 attempts');
    expect(error.message).toContain('HTTP 503');
  });

  test('throttling on every attempt: retried up to max-attempts, then the throttling advice', async () => {
    respond = (_index, response) => {
      json(
        response,
        400,
        { __type: 'ThrottlingException', message: 'Rate exceeded' },
        {
          'x-amzn-errortype': 'ThrottlingException',
        },
      );
    };
    const error = await rejectionOf(
      fetchPrivateCredentials(groups([A, 'eu-west-1']), { maxAttempts: 2 }, process.env, loginPolicyFor),
    );
    expect(exchanges).toHaveLength(2);
    expect(error.message).toBe(
      "AWS throttled ecr:GetAuthorizationToken in eu-west-1 after 2 of 2 attempts (Rate exceeded): raise 'max-attempts' or run fewer jobs at once.",
    );
  });

  test('max-attempts 1: no retry at all', async () => {
    respond = (_index, response) => {
      json(response, 503, { __type: 'ServiceUnavailableException', message: 'busy' });
    };
    const error = await rejectionOf(
      fetchPrivateCredentials(groups([A, 'eu-west-1']), { maxAttempts: 1 }, process.env, loginPolicyFor),
    );
    expect(exchanges).toHaveLength(1);
    expect(error.message).toContain('after 1 of 1 attempts');
  });

  test('access denied is not retried, and names the action and the policy', async () => {
    respond = (_index, response) => {
      json(response, 400, {
        __type: 'AccessDeniedException',
        message:
          'User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ecr:GetAuthorizationToken',
      });
    };
    const error = await rejectionOf(
      fetchPrivateCredentials(groups([A, 'eu-west-1']), { maxAttempts: 3 }, process.env, loginPolicyFor),
    );
    expect(exchanges).toHaveLength(1);
    expect(error.message).toContain('may not call ecr:GetAuthorizationToken in eu-west-1');
    expect(error.message).toContain('"Action":["ecr:GetAuthorizationToken"]');
  });
});
