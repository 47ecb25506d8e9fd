import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ActionError, InputError } from '../../../src/shared/errors.js';
import { policiesEqual } from '../../../src/repository/policies/canonical-json.js';
import {
  compilePullAccounts,
  resolveRepositoryPolicy,
} from '../../../src/repository/policies/repository-policy.js';
import { validateRepositoryPolicy } from '../../../src/repository/policies/repository-policy-validate.js';
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

describe('validateRepositoryPolicy', () => {
  test.each<[string, object]>([
    ['the fixture', JSON.parse(readFixture('repository-policy.json')) as object],
    ['a single statement object', { Version: '2012-10-17', Statement: statement() }],
    ['the old version', { Version: '2008-10-17', Statement: [statement()] }],
    [
      'an Id and Sids',
      { Version: '2012-10-17', Id: 'pull', Statement: [statement({ Sid: 'A' }), statement({ Sid: 'B' })] },
    ],
    [
      'NotPrincipal with Deny',
      policyOf(
        statement({
          Effect: 'Deny',
          Principal: undefined,
          NotPrincipal: { AWS: ['arn:aws:iam::111111111111:root'] },
        }),
      ),
    ],
    [
      'ecr:* and NotAction',
      policyOf(
        statement({ Action: 'ecr:*' }),
        statement({ Sid: 'x', Action: undefined, NotAction: ['ecr:Delete*'] }),
      ),
    ],
    ['a service principal', policyOf(statement({ Principal: { Service: 'lambda.amazonaws.com' } }))],
  ])('accepts %s', (_name, policy) => {
    const parsed = JSON.parse(JSON.stringify(policy)) as object;
    expect(validateRepositoryPolicy(parsed)).toEqual(parsed);
  });

  test.each<[string, unknown, string]>([
    [
      'not an object',
      'policy',
      'repository-policy: expected an object with "Version" and "Statement", got "policy"',
    ],
    [
      'unknown top key',
      { ...policyOf(statement()), Statements: [] },
      'repository-policy: unknown key "Statements"',
    ],
    [
      'no version',
      { Statement: [statement()] },
      'repository-policy: "Version" must be "2012-10-17", got nothing',
    ],
    [
      'a date version',
      { Version: '2024-01-01', Statement: [statement()] },
      '"Version" must be "2012-10-17", got "2024-01-01"',
    ],
    ['Id not text', { ...policyOf(statement()), Id: 3 }, 'repository-policy: "Id" must be a string'],
    [
      'no statement',
      { Version: '2012-10-17' },
      'repository-policy: "Statement" must hold at least one statement',
    ],
    ['empty statements', policyOf(), 'repository-policy: "Statement" must hold at least one statement'],
    [
      'statement not an object',
      policyOf('x' as unknown as object),
      'repository-policy: statement 1: expected an object, got "x"',
    ],
    [
      'unknown statement key',
      policyOf(statement({ Actions: [] })),
      'repository-policy: statement 1: unknown key "Actions"',
    ],
    [
      'effect',
      policyOf(statement({ Effect: 'allow' })),
      'repository-policy: statement 1: "Effect" must be "Allow" or "Deny", got "allow"',
    ],
    [
      'no principal',
      policyOf(statement({ Principal: undefined })),
      'statement 1: give either "Principal" or "NotPrincipal"',
    ],
    [
      'both principals',
      policyOf(statement({ NotPrincipal: '*' })),
      'give either "Principal" or "NotPrincipal"',
    ],
    [
      'principal as account text',
      policyOf(statement({ Principal: '111111111111' })),
      '"Principal" must be "*" or an object such as {"AWS": "arn:aws:iam::111111111111:root"}, got "111111111111"',
    ],
    [
      'principal type',
      policyOf(statement({ Principal: { Account: '111111111111' } })),
      '"Principal" has unknown key "Account"; use AWS, Service, Federated, CanonicalUser',
    ],
    [
      'empty principal list',
      policyOf(statement({ Principal: { AWS: [] } })),
      '"Principal.AWS" must be a string or a non-empty array of strings',
    ],
    [
      'no action',
      policyOf(statement({ Action: undefined })),
      'statement 1: give either "Action" or "NotAction"',
    ],
    [
      'empty action list',
      policyOf(statement({ Action: [] })),
      '"Action" must be a string or a non-empty array of strings',
    ],
    [
      'an S3 action',
      policyOf(statement({ Sid: 'Pull', Action: ['ecr:BatchGetImage', 's3:GetObject'] })),
      'repository-policy: statement 1 (Pull): "s3:GetObject" is not an ECR action',
    ],
    [
      'a bare wildcard',
      policyOf(statement({ Action: '*' })),
      '"*" is not an ECR action; a repository policy grants only ecr: actions such as "ecr:BatchGetImage" (or "ecr:*")',
    ],
    [
      'duplicate Sid',
      policyOf(statement({ Sid: 'A' }), statement({ Sid: 'A' })),
      'repository-policy: statement 2 (A): the Sid "A" is used twice',
    ],
    ['Sid not text', policyOf(statement({ Sid: 7 })), 'statement 1: "Sid" must be a string'],
    [
      'resource not text',
      policyOf(statement({ Resource: 5 })),
      '"Resource" must be a string or a non-empty array of strings',
    ],
    ['condition not an object', policyOf(statement({ Condition: 'x' })), '"Condition" must be an object'],
    [
      'condition block',
      policyOf(statement({ Condition: { StringEquals: 'x' } })),
      '"Condition.StringEquals" must be an object of condition keys',
    ],
    [
      'too long',
      policyOf(...Array.from({ length: 120 }, (_, index) => statement({ Sid: `Statement${index}` }))),
      'ECR takes at most 10240',
    ],
  ])('rejects %s', (_name, policy, message) => {
    let thrown: unknown;
    try {
      validateRepositoryPolicy(JSON.parse(JSON.stringify(policy)) as unknown);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ActionError);
    expect((thrown as Error).message).toContain(message);
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
