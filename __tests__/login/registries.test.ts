import { describe, expect, test } from '@jest/globals';
import {
  accountOfHost,
  groupByRegion,
  hostOfEndpoint,
  isAccountId,
  isRegion,
  outputSuffix,
  parseRegistry,
  type RegistrySpec,
} from '../../src/login/registries.js';

const ID = '123456789012';

describe('parseRegistry: hostnames', () => {
  test.each<[string, string, Partial<RegistrySpec>]>([
    [
      'standard',
      `${ID}.dkr.ecr.us-east-1.amazonaws.com`,
      { host: `${ID}.dkr.ecr.us-east-1.amazonaws.com`, region: 'us-east-1', fips: false, dualStack: false },
    ],
    [
      'dual-stack',
      `${ID}.dkr-ecr.eu-west-1.on.aws`,
      { host: `${ID}.dkr-ecr.eu-west-1.on.aws`, region: 'eu-west-1', fips: false, dualStack: true },
    ],
    [
      'FIPS',
      `${ID}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`,
      {
        host: `${ID}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`,
        region: 'us-gov-west-1',
        fips: true,
        dualStack: false,
      },
    ],
    [
      'dual-stack FIPS',
      `${ID}.dkr-ecr-fips.us-east-2.on.aws`,
      { host: `${ID}.dkr-ecr-fips.us-east-2.on.aws`, region: 'us-east-2', fips: true, dualStack: true },
    ],
    [
      'China',
      `${ID}.dkr.ecr.cn-north-1.amazonaws.com.cn`,
      { host: `${ID}.dkr.ecr.cn-north-1.amazonaws.com.cn`, region: 'cn-north-1', fips: false },
    ],
    [
      'China dual-stack',
      `${ID}.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn`,
      { region: 'cn-northwest-1', dualStack: true },
    ],
    [
      'EU sovereign cloud',
      `${ID}.dkr.ecr.eusc-de-east-1.amazonaws.eu`,
      { host: `${ID}.dkr.ecr.eusc-de-east-1.amazonaws.eu`, region: 'eusc-de-east-1' },
    ],
    [
      'https:// prefix and trailing slash',
      `https://${ID}.dkr.ecr.ap-southeast-2.amazonaws.com/`,
      { host: `${ID}.dkr.ecr.ap-southeast-2.amazonaws.com`, region: 'ap-southeast-2' },
    ],
    [
      'upper case',
      `HTTPS://${ID}.DKR.ECR.EU-CENTRAL-1.AMAZONAWS.COM`,
      { host: `${ID}.dkr.ecr.eu-central-1.amazonaws.com`, region: 'eu-central-1' },
    ],
  ])('%s: %s', (_name, item, expected) => {
    // The default region must never win over the region in a hostname.
    const spec = parseRegistry(item, 'sa-east-1');
    expect(spec).toEqual(expect.objectContaining({ accountId: ID, ...expected }));
  });
});

describe('parseRegistry: account IDs', () => {
  test.each<[string, string | undefined, RegistrySpec | RegExp]>([
    ['with a region', 'eu-west-1', { accountId: ID, region: 'eu-west-1', fips: false, dualStack: false }],
    ['without a region', undefined, /account ID 123456789012 needs a region: set the 'region' input/],
  ])('%s', (_name, region, expected) => {
    const spec = parseRegistry(ID, region);
    if (expected instanceof RegExp) expect(spec).toMatch(expected);
    else expect(spec).toEqual(expected);
  });
});

describe('parseRegistry: invalid items', () => {
  test.each<[string, string, RegExp]>([
    ['11 digits', '12345678901', /expected a 12-digit AWS account ID or an ECR registry hostname/],
    ['13 digits', '1234567890123', /expected a 12-digit AWS account ID/],
    ['ECR Public as a private registry', 'public.ecr.aws', /set 'registry-type: public'/],
    ['Docker Hub', 'docker.io', /expected a 12-digit AWS account ID/],
    ['a repository path', `${ID}.dkr.ecr.us-east-1.amazonaws.com/app`, /expected a 12-digit/],
    ['unknown DNS suffix', `${ID}.dkr.ecr.us-east-1.example.com`, /expected a 12-digit/],
    ['11-digit account in a hostname', '12345678901.dkr.ecr.us-east-1.amazonaws.com', /expected a 12-digit/],
    [
      'a region that is not one',
      `${ID}.dkr.ecr.notaregion.amazonaws.com`,
      /'notaregion' in 123456789012\.dkr\.ecr\.notaregion\.amazonaws\.com is not an AWS region/,
    ],
    [
      'a region without its number',
      `${ID}.dkr.ecr.us-east.amazonaws.com`,
      /'us-east' in .* is not an AWS region/,
    ],
  ])('%s: %s', (_name, item, message) => {
    const spec = parseRegistry(item, 'us-east-1');
    expect(typeof spec).toBe('string');
    expect(spec).toMatch(message);
  });
});

describe('isAccountId / isRegion', () => {
  test.each<[string, boolean]>([
    [ID, true],
    ['12345678901', false],
    ['1234567890123', false],
    ['12345678901a', false],
    [` ${ID}`, false],
  ])('isAccountId(%j) is %s', (value, expected) => {
    expect(isAccountId(value)).toBe(expected);
  });

  test.each<[string, boolean]>([
    ['us-east-1', true],
    ['us-gov-west-1', true],
    ['cn-northwest-1', true],
    ['eusc-de-east-1', true],
    ['us-isob-east-1', true],
    ['ap-southeast-12', true],
    ['us-east', false],
    ['US-EAST-1', false],
    ['useast1', false],
    ['eu-west-1 ', false],
    ['', false],
  ])('isRegion(%j) is %s', (value, expected) => {
    expect(isRegion(value)).toBe(expected);
  });
});

function spec(item: string, region?: string): RegistrySpec {
  const parsed = parseRegistry(item, region);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('groupByRegion', () => {
  test.each<[string, RegistrySpec[], { region: string; accountIds: string[]; fips: boolean }[]]>([
    ['one account', [spec(ID, 'us-east-1')], [{ region: 'us-east-1', accountIds: [ID], fips: false }]],
    [
      'two accounts in one region: one group',
      [spec(ID, 'us-east-1'), spec('210987654321', 'us-east-1')],
      [{ region: 'us-east-1', accountIds: [ID, '210987654321'], fips: false }],
    ],
    [
      'an account ID given twice, once as a hostname: deduplicated',
      [
        spec(ID, 'us-east-1'),
        spec(`${ID}.dkr.ecr.us-east-1.amazonaws.com`),
        spec(`${ID}.dkr-ecr.us-east-1.on.aws`),
      ],
      [{ region: 'us-east-1', accountIds: [ID], fips: false }],
    ],
    [
      "one group per region, in order of first appearance; a hostname's region wins over the default",
      [
        spec(ID, 'eu-west-1'),
        spec('210987654321.dkr.ecr.us-west-2.amazonaws.com', 'eu-west-1'),
        spec('111111111111', 'eu-west-1'),
      ],
      [
        { region: 'eu-west-1', accountIds: [ID, '111111111111'], fips: false },
        { region: 'us-west-2', accountIds: ['210987654321'], fips: false },
      ],
    ],
    [
      'a FIPS hostname makes its region group FIPS, and only that one',
      [
        spec(`${ID}.dkr.ecr.us-east-1.amazonaws.com`),
        spec('210987654321.dkr.ecr-fips.us-east-1.amazonaws.com'),
        spec('111111111111.dkr.ecr.us-east-2.amazonaws.com'),
      ],
      [
        { region: 'us-east-1', accountIds: [ID, '210987654321'], fips: true },
        { region: 'us-east-2', accountIds: ['111111111111'], fips: false },
      ],
    ],
    [
      "the caller's own registry: no account IDs",
      [{ region: 'eu-north-1', fips: false, dualStack: false }],
      [{ region: 'eu-north-1', accountIds: [], fips: false }],
    ],
  ])('%s', (_name, specs, expected) => {
    const groups = groupByRegion(specs);
    expect(groups.map(({ region, accountIds, fips }) => ({ region, accountIds, fips }))).toEqual(expected);
    // Every spec lands in exactly the group of its region.
    expect(groups.flatMap((group) => group.specs)).toHaveLength(specs.length);
    for (const group of groups) {
      expect(group.specs.every((member) => member.region === group.region)).toBe(true);
    }
  });
});

describe('hostOfEndpoint / accountOfHost', () => {
  test.each<[string, string]>([
    [`https://${ID}.dkr.ecr.us-east-1.amazonaws.com`, `${ID}.dkr.ecr.us-east-1.amazonaws.com`],
    [`https://${ID}.dkr.ecr.us-east-1.amazonaws.com/`, `${ID}.dkr.ecr.us-east-1.amazonaws.com`],
    [`http://localhost:5000`, 'localhost:5000'],
    ['public.ecr.aws', 'public.ecr.aws'],
  ])('hostOfEndpoint(%s) is %s', (endpoint, host) => {
    expect(hostOfEndpoint(endpoint)).toBe(host);
  });

  test.each<[string, string | undefined]>([
    [`${ID}.dkr.ecr.us-east-1.amazonaws.com`, ID],
    [`${ID}.dkr-ecr.us-east-1.on.aws`, ID],
    [`${ID}.dkr.ecr.cn-north-1.amazonaws.com.cn`, ID],
    ['public.ecr.aws', undefined],
    ['localhost:5000', undefined],
  ])('accountOfHost(%s) is %s', (host, account) => {
    expect(accountOfHost(host)).toBe(account);
  });
});

describe('outputSuffix: the output names of amazon-ecr-login', () => {
  test.each<[string, string]>([
    [`${ID}.dkr.ecr.us-east-1.amazonaws.com`, `${ID}_dkr_ecr_us_east_1_amazonaws_com`],
    [`${ID}.dkr-ecr.eu-west-1.on.aws`, `${ID}_dkr_ecr_eu_west_1_on_aws`],
    [`${ID}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`, `${ID}_dkr_ecr_fips_us_gov_west_1_amazonaws_com`],
    ['public.ecr.aws', 'public_ecr_aws'],
    ['localhost:5000', 'localhost_5000'],
  ])('%s → %s', (host, suffix) => {
    expect(outputSuffix(host)).toBe(suffix);
  });

  test('the exact output name a workflow written for amazon-ecr-login reads', () => {
    expect(`docker_username_${outputSuffix(`${ID}.dkr.ecr.us-east-1.amazonaws.com`)}`).toBe(
      'docker_username_123456789012_dkr_ecr_us_east_1_amazonaws_com',
    );
  });
});
