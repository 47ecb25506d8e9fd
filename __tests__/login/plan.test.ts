import { describe, expect, test } from '@jest/globals';
import type { RegistryCredentials } from '../../src/login/plan.js';
import { ActionError } from '../../src/shared/errors.js';
import { planLogins, planPublicLogin, type LoginPlan } from '../../src/login/plan.js';
import { parseRegistry, type RegistrySpec } from '../../src/login/registries.js';

const A = '111111111111';
const B = '222222222222';
const EARLY = new Date('2030-01-01T00:00:00.000Z');
const LATE = new Date('2030-01-01T12:00:00.000Z');
const std = (account: string, region: string) => `${account}.dkr.ecr.${region}.amazonaws.com`;

function spec(item: string, region?: string): RegistrySpec {
  const parsed = parseRegistry(item, region);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

function creds(account: string | undefined, region: string, expiresAt = LATE): RegistryCredentials {
  const host = std(account ?? A, region);
  return {
    region,
    ...(account ? { accountId: account } : {}),
    endpointHost: host,
    username: 'AWS',
    password: `pw-${account ?? 'own'}-${region}`,
    expiresAt,
  };
}

const login = (host: string, account: string | undefined, region: string) => ({
  host,
  username: 'AWS',
  password: `pw-${account ?? 'own'}-${region}`,
});

describe('planLogins', () => {
  test.each<
    [string, RegistrySpec[], RegistryCredentials[], Pick<LoginPlan, 'logins' | 'registries' | 'expiresAt'>]
  >([
    [
      'an account ID: the proxyEndpoint host',
      [spec(A, 'eu-west-1')],
      [creds(A, 'eu-west-1')],
      {
        logins: [login(std(A, 'eu-west-1'), A, 'eu-west-1')],
        registries: [std(A, 'eu-west-1')],
        expiresAt: LATE,
      },
    ],
    [
      'a dual-stack hostname: logged in as written and under the proxyEndpoint host',
      [spec(`${A}.dkr-ecr.eu-west-1.on.aws`)],
      [creds(A, 'eu-west-1')],
      {
        logins: [
          login(`${A}.dkr-ecr.eu-west-1.on.aws`, A, 'eu-west-1'),
          login(std(A, 'eu-west-1'), A, 'eu-west-1'),
        ],
        registries: [`${A}.dkr-ecr.eu-west-1.on.aws`],
        expiresAt: LATE,
      },
    ],
    [
      'a FIPS hostname: both hosts',
      [spec(`${A}.dkr.ecr-fips.us-east-1.amazonaws.com`)],
      [creds(A, 'us-east-1')],
      {
        logins: [
          login(`${A}.dkr.ecr-fips.us-east-1.amazonaws.com`, A, 'us-east-1'),
          login(std(A, 'us-east-1'), A, 'us-east-1'),
        ],
        registries: [`${A}.dkr.ecr-fips.us-east-1.amazonaws.com`],
        expiresAt: LATE,
      },
    ],
    [
      'the same registry as an ID, as a hostname and twice: one login, one registry',
      [
        spec(A, 'eu-west-1'),
        spec(std(A, 'eu-west-1')),
        spec(`https://${std(A, 'eu-west-1')}/`),
        spec(A, 'eu-west-1'),
      ],
      [creds(A, 'eu-west-1')],
      {
        logins: [login(std(A, 'eu-west-1'), A, 'eu-west-1')],
        registries: [std(A, 'eu-west-1')],
        expiresAt: LATE,
      },
    ],
    [
      "the caller's own registry: the host ECR returned",
      [{ region: 'eu-north-1', fips: false, dualStack: false }],
      [{ ...creds(A, 'eu-north-1'), accountId: A }],
      {
        logins: [login(std(A, 'eu-north-1'), A, 'eu-north-1')],
        registries: [std(A, 'eu-north-1')],
        expiresAt: LATE,
      },
    ],
    [
      'two accounts in two regions, in the order asked; the earliest expiry',
      [spec(B, 'us-west-2'), spec(A, 'eu-west-1')],
      [creds(A, 'eu-west-1', LATE), creds(B, 'us-west-2', EARLY)],
      {
        logins: [login(std(B, 'us-west-2'), B, 'us-west-2'), login(std(A, 'eu-west-1'), A, 'eu-west-1')],
        registries: [std(B, 'us-west-2'), std(A, 'eu-west-1')],
        expiresAt: EARLY,
      },
    ],
    [
      'one account in two regions: each region its own token',
      [spec(A, 'eu-west-1'), spec(std(A, 'us-east-1'))],
      [creds(A, 'eu-west-1'), creds(A, 'us-east-1')],
      {
        logins: [login(std(A, 'eu-west-1'), A, 'eu-west-1'), login(std(A, 'us-east-1'), A, 'us-east-1')],
        registries: [std(A, 'eu-west-1'), std(A, 'us-east-1')],
        expiresAt: LATE,
      },
    ],
  ])('%s', (_name, specs, credentials, expected) => {
    const { logins, registries, expiresAt } = planLogins(specs, credentials);
    expect({ logins, registries, expiresAt }).toEqual(expected);
  });

  test.each<[string, RegistrySpec[], RegistryCredentials[], string]>([
    [
      'no token for the account',
      [spec(A, 'eu-west-1'), spec(B, 'eu-west-1')],
      [creds(A, 'eu-west-1')],
      `ECR returned no token for account ${B} in eu-west-1: check the account ID.`,
    ],
    [
      'a token for the account, but in another region',
      [spec(A, 'eu-west-1')],
      [creds(A, 'us-east-1')],
      `ECR returned no token for account ${A} in eu-west-1: check the account ID.`,
    ],
    [
      'no token for the own registry',
      [{ region: 'eu-west-1', fips: false, dualStack: false }],
      [],
      'ECR returned no token for account (default) in eu-west-1: check the account ID.',
    ],
  ])('missing token: %s', (_name, specs, credentials, message) => {
    expect(() => planLogins(specs, credentials)).toThrow(ActionError);
    expect(() => planLogins(specs, credentials)).toThrow(message);
  });
});

describe('planLogins: repository targets', () => {
  test('one target per registry asked for, with the host it is known by; accounts per region', () => {
    const dual = spec(`${A}.dkr-ecr.eu-west-1.on.aws`);
    const plain = spec(A, 'eu-west-1');
    const plan = planLogins([dual, plain], [creds(A, 'eu-west-1')]);
    expect(plan.targets).toEqual([
      { spec: dual, host: `${A}.dkr-ecr.eu-west-1.on.aws` },
      { spec: plain, host: std(A, 'eu-west-1') },
    ]);
    expect(plan.accounts.get('eu-west-1')).toBe(A);
  });
});

describe('planPublicLogin', () => {
  test('public.ecr.aws, its token and expiry', () => {
    const credentials: RegistryCredentials = {
      region: 'us-east-1',
      endpointHost: 'public.ecr.aws',
      username: 'AWS',
      password: 'pub',
      expiresAt: EARLY,
    };
    expect(planPublicLogin(credentials)).toMatchObject({
      logins: [{ host: 'public.ecr.aws', username: 'AWS', password: 'pub' }],
      registries: ['public.ecr.aws'],
      expiresAt: EARLY,
    });
  });
});
