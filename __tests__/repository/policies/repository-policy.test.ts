import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../../src/shared/errors.js';
import { policiesEqual } from '../../../src/repository/policies/canonical-json.js';
import {
  compilePullAccounts,
  resolveRepositoryPolicy,
} from '../../../src/repository/policies/repository-policy.js';
import { fixturePath } from '../../fixtures/paths.js';

const FIXTURES = fixturePath('policies');
const readFixture = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');
const noFiles = (path: string): string => {
  throw new Error(`ENOENT: no such file or directory, open '${path}'`);
};
const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

const statement = (extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111111111111:root' },
  Action: 'ecr:BatchGetImage',
  ...extra,
});
const policyOf = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

describe('compilePullAccounts', () => {
  test.each<[string, string, string, string[]]>([
    [
      'two accounts',
      'pull-accounts: 111111111111,222222222222',
      'eu-west-1',
      ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'],
    ],
    [
      'with = and newlines, duplicates dropped',
      'pull-accounts=\n111111111111\n111111111111',
      'us-east-1',
      ['arn:aws:iam::111111111111:root'],
    ],
    ['China', 'pull-accounts: 111111111111', 'cn-north-1', ['arn:aws-cn:iam::111111111111:root']],
    ['GovCloud', 'pull-accounts: 111111111111', 'us-gov-west-1', ['arn:aws-us-gov:iam::111111111111:root']],
    [
      'European Sovereign Cloud',
      'Pull-Accounts: 111111111111',
      'eusc-de-east-1',
      ['arn:aws-eusc:iam::111111111111:root'],
    ],
  ])('%s', (_name, text, region, principals) => {
    expect(compilePullAccounts(text, region)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowPullFromAccounts', Effect: 'Allow', Principal: { AWS: principals }, Action: PULL },
      ],
    });
  });

  test.each([
    ['no accounts', 'pull-accounts:', 'pull-accounts:', 'name the accounts'],
    ['eleven digits', 'pull-accounts: 11111111111', '11111111111', 'an AWS account ID is 12 digits'],
    [
      'an ARN',
      'pull-accounts: arn:aws:iam::111111111111:root',
      'arn:aws:iam::111111111111:root',
      'an AWS account ID is 12 digits',
    ],
  ])('rejects %s', (_name, text, value, accepted) => {
    let thrown: unknown;
    try {
      compilePullAccounts(text, 'eu-west-1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect(thrown).toMatchObject({ input: 'repository-policy', value });
    expect((thrown as InputError).accepted).toContain(accepted);
  });
});

describe('resolveRepositoryPolicy', () => {
  test('empty: the repository policy is left alone', () => {
    expect(resolveRepositoryPolicy('', noFiles, 'eu-west-1')).toBeUndefined();
  });

  test('shorthand', () => {
    const resolved = resolveRepositoryPolicy('pull-accounts: 111111111111', noFiles, 'eu-west-1');
    expect(resolved?.source).toBe('shorthand');
    expect(resolved?.text).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"AllowPullFromAccounts","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root"]},"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}',
    );
  });

  test('a file', () => {
    const resolved = resolveRepositoryPolicy('repository-policy.json', readFixture, 'eu-west-1');
    expect(resolved?.source).toBe('file');
    expect(policiesEqual(resolved?.text ?? '', readFixture('repository-policy.json'))).toBe(true);
  });

  test('inline JSON', () => {
    const text = JSON.stringify(policyOf(statement()));
    expect(resolveRepositoryPolicy(` ${text}\n`, noFiles, 'eu-west-1')).toEqual({
      policy: policyOf(statement()),
      text,
      source: 'inline',
    });
  });

  test('a missing file mentions the shorthand', () => {
    expect(() => resolveRepositoryPolicy('policy.json', noFiles, 'eu-west-1')).toThrow(
      "or shorthand starting with 'pull-accounts='",
    );
  });
});

describe('policiesEqual for repository policies', () => {
  const stored = readFixture('repository-policy.json');

  test.each<[string, string, boolean]>([
    ['compact', JSON.stringify(JSON.parse(stored)), true],
    [
      'keys reordered',
      '{"Statement":[{"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Principal":"*","Effect":"Allow","Sid":"PullFromOrganization"}],"Version":"2012-10-17"}',
      true,
    ],
    ['another organization', stored.replace('o-abcdefghij', 'o-zzzzzzzzzz'), false],
    [
      'actions reordered',
      stored.replace(
        '"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"',
        '"ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"',
      ),
      false,
    ],
  ])('%s', (_name, other, equal) => {
    expect(policiesEqual(stored, other)).toBe(equal);
  });
});
