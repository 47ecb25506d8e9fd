import { describe, expect, test } from '@jest/globals';
import {
  explainAccessDenied,
  FEATURE_ACTIONS,
  formatPolicy,
  minimalIamPolicy,
  partitionOf,
  repositoryArn,
  requiredActionsFor,
  type IamFeatures,
  type PolicyStatement,
  type RepositoryRef,
} from '../../src/iam/policy.js';
import { parseKmsKey } from '../../src/repository/policies/kms-key.js';

const APP: RepositoryRef = { region: 'eu-west-1', accountId: '111122223333', name: 'team/app' };
const APP_ARN = 'arn:aws:ecr:eu-west-1:111122223333:repository/team/app';
const LOGIN: PolicyStatement = {
  Sid: 'EcrLogin',
  Effect: 'Allow',
  Action: ['ecr:GetAuthorizationToken'],
  Resource: '*',
};

const sids = (features: IamFeatures) =>
  minimalIamPolicy(features).Statement.map((statement) => statement.Sid);
const statementOf = (features: IamFeatures, sid: string) =>
  minimalIamPolicy(features).Statement.find((statement) => statement.Sid === sid);

describe('partitionOf', () => {
  test.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['eusc-de-east-1', 'aws-eusc'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
  ])('%s → %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
    expect(repositoryArn(region, '111122223333', 'app')).toBe(
      `arn:${partition}:ecr:${region}:111122223333:repository/app`,
    );
  });
});

describe('minimalIamPolicy', () => {
  test('login only: one statement on "*"', () => {
    expect(minimalIamPolicy({ login: true })).toEqual({ Version: '2012-10-17', Statement: [LOGIN] });
  });

  test('nothing used: no statements', () => {
    expect(minimalIamPolicy({})).toEqual({ Version: '2012-10-17', Statement: [] });
  });

  test('ECR Public login needs an STS bearer token too', () => {
    expect(minimalIamPolicy({ ecrPublic: true }).Statement).toEqual([
      {
        Sid: 'EcrPublicLogin',
        Effect: 'Allow',
        Action: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'],
        Resource: '*',
      },
    ]);
  });

  test('push', () => {
    expect(minimalIamPolicy({ repositories: [APP], push: true }).Statement).toEqual([
      LOGIN,
      {
        Sid: 'PushImages',
        Effect: 'Allow',
        Action: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:CompleteLayerUpload',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
        ],
        Resource: APP_ARN,
      },
    ]);
  });

  test('push + create + lifecycle', () => {
    expect(
      minimalIamPolicy({ repositories: [APP], push: true, createRepository: true, lifecyclePolicy: true }),
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        LOGIN,
        expect.objectContaining({ Sid: 'PushImages' }),
        { Sid: 'CreateRepository', Effect: 'Allow', Action: ['ecr:CreateRepository'], Resource: APP_ARN },
        {
          Sid: 'ManageLifecyclePolicy',
          Effect: 'Allow',
          Action: ['ecr:GetLifecyclePolicy', 'ecr:PutLifecyclePolicy'],
          Resource: APP_ARN,
        },
      ],
    });
  });

  test.each<[string, IamFeatures, string, string[]]>([
    [
      'describe',
      { describe: true },
      'DescribeRepository',
      ['ecr:DescribeImages', 'ecr:DescribeRepositories'],
    ],
    ['create', { createRepository: true }, 'CreateRepository', ['ecr:CreateRepository']],
    [
      'create with tags',
      { createRepository: true, repositoryTags: true },
      'CreateRepository',
      ['ecr:CreateRepository', 'ecr:TagResource'],
    ],
    [
      'settings',
      { updateSettings: true },
      'UpdateRepositorySettings',
      ['ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability'],
    ],
    [
      'lifecycle',
      { lifecyclePolicy: true },
      'ManageLifecyclePolicy',
      ['ecr:GetLifecyclePolicy', 'ecr:PutLifecyclePolicy'],
    ],
    [
      'repository policy',
      { repositoryPolicy: true },
      'ManageRepositoryPolicy',
      ['ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy'],
    ],
    [
      'cleanup',
      { cleanup: true },
      'CleanUpImages',
      ['ecr:BatchDeleteImage', 'ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:ListImages'],
    ],
  ])('%s alone: that statement only, no login', (_name, features, sid, actions) => {
    expect(minimalIamPolicy({ repositories: [APP], ...features }).Statement).toEqual([
      { Sid: sid, Effect: 'Allow', Action: actions, Resource: APP_ARN },
    ]);
  });

  test('tags without creating add nothing: tags are only given to a new repository', () => {
    expect(sids({ repositories: [APP], push: true, repositoryTags: true })).toEqual([
      'EcrLogin',
      'PushImages',
    ]);
  });

  test('every feature, in a fixed order', () => {
    expect(
      sids({
        login: true,
        ecrPublic: true,
        repositories: [APP],
        pullFrom: [{ region: 'us-east-1', accountId: '999999999999', name: 'base/*' }],
        push: true,
        describe: true,
        createRepository: true,
        repositoryTags: true,
        updateSettings: true,
        lifecyclePolicy: true,
        repositoryPolicy: true,
        cleanup: true,
        kmsKey: parseKmsKey('alias/ecr'),
      }),
    ).toEqual([
      'EcrLogin',
      'EcrPublicLogin',
      'PullBaseImages',
      'PushImages',
      'DescribeRepository',
      'CreateRepository',
      'UpdateRepositorySettings',
      'ManageLifecyclePolicy',
      'ManageRepositoryPolicy',
      'CleanUpImages',
      'EncryptNewRepository',
    ]);
  });

  test('pulling private base images logs in and reads only those repositories', () => {
    const policy = minimalIamPolicy({
      pullFrom: [
        { region: 'us-east-1', accountId: '999999999999', name: 'base/node' },
        { region: 'cn-north-1', accountId: '888888888888', name: 'mirror/*' },
        { region: 'us-east-1', accountId: '999999999999', name: 'base/node' },
      ],
    });
    expect(policy.Statement).toEqual([
      LOGIN,
      {
        Sid: 'PullBaseImages',
        Effect: 'Allow',
        Action: FEATURE_ACTIONS.pull,
        Resource: [
          'arn:aws-cn:ecr:cn-north-1:888888888888:repository/mirror/*',
          'arn:aws:ecr:us-east-1:999999999999:repository/base/node',
        ],
      },
    ]);
  });

  test.each([
    ['aws', 'us-east-1'],
    ['aws-cn', 'cn-north-1'],
    ['aws-us-gov', 'us-gov-east-1'],
    ['aws-eusc', 'eusc-de-east-1'],
  ])('repository ARNs in the %s partition', (partition, region) => {
    expect(statementOf({ repositories: [{ ...APP, region }], push: true }, 'PushImages')?.Resource).toBe(
      `arn:${partition}:ecr:${region}:111122223333:repository/team/app`,
    );
  });

  test('several repositories: sorted, each once', () => {
    const web = { ...APP, name: 'web' };
    expect(statementOf({ repositories: [web, APP, web], push: true }, 'PushImages')?.Resource).toEqual([
      APP_ARN,
      'arn:aws:ecr:eu-west-1:111122223333:repository/web',
    ]);
  });

  describe('KMS for a new repository', () => {
    const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const kmsActions = ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'];

    test.each<[string, string, Omit<PolicyStatement, 'Sid' | 'Effect' | 'Action'>]>([
      [
        'a key ARN, even in another account',
        `arn:aws:kms:eu-west-1:444455556666:key/${KEY_ID}`,
        { Resource: `arn:aws:kms:eu-west-1:444455556666:key/${KEY_ID}` },
      ],
      [
        'a key ID: the repository account and region',
        KEY_ID,
        { Resource: `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}` },
      ],
      [
        'an alias: any key carrying it',
        'alias/ecr',
        {
          Resource: 'arn:aws:kms:eu-west-1:111122223333:key/*',
          Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/ecr' } },
        },
      ],
      [
        'an alias ARN',
        'arn:aws-cn:kms:cn-north-1:444455556666:alias/ecr',
        {
          Resource: 'arn:aws-cn:kms:cn-north-1:444455556666:key/*',
          Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/ecr' } },
        },
      ],
    ])('%s', (_name, key, expected) => {
      expect(
        statementOf(
          { repositories: [APP], createRepository: true, kmsKey: parseKmsKey(key) },
          'EncryptNewRepository',
        ),
      ).toEqual({
        Sid: 'EncryptNewRepository',
        Effect: 'Allow',
        Action: kmsActions,
        ...expected,
      });
    });

    test('no statement when the repository is not created by the action', () => {
      expect(sids({ repositories: [APP], push: true, kmsKey: parseKmsKey(KEY_ID) })).toEqual([
        'EcrLogin',
        'PushImages',
      ]);
    });
  });

  test('repository features without a repository are a programming error', () => {
    expect(() => minimalIamPolicy({ push: true })).toThrow(
      'repository features need at least one repository',
    );
  });
});

describe('formatPolicy', () => {
  test('two-space JSON', () => {
    expect(formatPolicy(minimalIamPolicy({ login: true }))).toBe(
      [
        '{',
        '  "Version": "2012-10-17",',
        '  "Statement": [',
        '    {',
        '      "Sid": "EcrLogin",',
        '      "Effect": "Allow",',
        '      "Action": [',
        '        "ecr:GetAuthorizationToken"',
        '      ],',
        '      "Resource": "*"',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
  });
});

describe('requiredActionsFor', () => {
  test.each<[string, Parameters<typeof requiredActionsFor>[1], string[]]>([
    ['GetAuthorizationToken', undefined, ['ecr:GetAuthorizationToken']],
    ['GetAuthorizationTokenCommand', 'ecr', ['ecr:GetAuthorizationToken']],
    [
      'GetAuthorizationToken',
      'ecr-public',
      ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'],
    ],
    ['PutLifecyclePolicy', 'ecr', ['ecr:PutLifecyclePolicy']],
    ['DescribeImagesCommand', 'ecr', ['ecr:DescribeImages']],
    ['CreateGrant', 'kms', ['kms:CreateGrant']],
  ])('%s (%s)', (operation, service, actions) => {
    expect(requiredActionsFor(operation, service)).toEqual(actions);
  });
});

describe('explainAccessDenied', () => {
  test.each<[string, Parameters<typeof explainAccessDenied>[0], string]>([
    [
      'operation only',
      { operation: 'DescribeImages' },
      "AWS denied DescribeImages: allow 'ecr:DescribeImages' for the role this job uses. The 'iam-policy' output shows the minimal policy for this configuration.",
    ],
    [
      'ECR Public token',
      { operation: 'GetAuthorizationToken', service: 'ecr-public' },
      "AWS denied GetAuthorizationToken: allow 'ecr-public:GetAuthorizationToken' and 'sts:GetServiceBearerToken' for the role this job uses. The 'iam-policy' output shows the minimal policy for this configuration.",
    ],
    [
      "AWS's message names the action and resource",
      {
        operation: 'CreateRepository',
        message:
          'User: arn:aws:sts::111122223333:assumed-role/ci/run is not authorized to perform: kms:CreateGrant on resource: arn:aws:kms:eu-west-1:111122223333:key/abc because no identity-based policy allows the kms:CreateGrant action',
      },
      "AWS denied CreateRepository: allow 'kms:CreateGrant' on arn:aws:kms:eu-west-1:111122223333:key/abc for the role this job uses. The 'iam-policy' output shows the minimal policy for this configuration.",
    ],
    [
      'an explicit deny',
      {
        operation: 'PutImage',
        message:
          'User: arn:aws:sts::111122223333:assumed-role/ci/run is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:eu-west-1:111122223333:repository/app with an explicit deny in a service control policy',
      },
      "AWS denied PutImage: an explicit Deny (a service control policy, permissions boundary or policy statement) blocks 'ecr:PutImage' on arn:aws:ecr:eu-west-1:111122223333:repository/app; remove that Deny for this role.",
    ],
  ])('%s', (_name, denied, message) => {
    expect(explainAccessDenied(denied)).toBe(message);
  });
});
