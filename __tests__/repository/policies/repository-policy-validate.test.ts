import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ActionError } from '../../../src/shared/errors.js';
import { validateRepositoryPolicy } from '../../../src/repository/policies/repository-policy-validate.js';
import { fixturePath } from '../../fixtures/paths.js';

const FIXTURES = fixturePath('policies');
const readFixture = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');
const statement = (extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111111111111:root' },
  Action: 'ecr:BatchGetImage',
  ...extra,
});
const policyOf = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

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
