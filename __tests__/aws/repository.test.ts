import { describe, expect, test } from '@jest/globals';
import {
  CreateRepositoryCommand,
  ECRServiceException,
  DescribeRepositoriesCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
  type Repository,
} from '@aws-sdk/client-ecr';
import 'aws-sdk-client-mock-jest';
import {
  describeRepository,
  ensureRepository,
  type EnsureRepositoryOptions,
  type RepositoryTarget,
} from '../../src/aws/repository.js';
import { ActionError } from '../../src/shared/errors.js';
import { ACCOUNT, REGION, accessDenied, useMockedEcr } from '../fixtures/ecr-mock.js';
import {
  parseRepositorySettings,
  type RepositorySettings,
  type RepositorySettingsInputs,
  type TagMutabilitySetting,
} from '../../src/repository/policies/index.js';

const NAME = 'team/app';
const URI = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${NAME}`;
const ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${NAME}`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

/** A policy granting just `action`, so each AccessDenied message can be checked for its own. */
const policyFor = (action: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: [action], Resource: ARN }],
  });
const target: RepositoryTarget = { name: NAME, registryId: ACCOUNT, policyFor };

const NO_INPUTS: RepositorySettingsInputs = {
  tagMutability: '',
  tagMutabilityExclusions: '',
  scanOnPush: '',
  encryption: '',
  kmsKey: '',
  repositoryTags: '',
};
const settingsOf = (inputs: Partial<RepositorySettingsInputs>): RepositorySettings =>
  parseRepositorySettings({ ...NO_INPUTS, ...inputs });
const ensureOptions = (settings: RepositorySettings, create = false): EnsureRepositoryOptions => ({
  ...target,
  settings,
  create,
});

/** DescribeRepositories' view of the repository; `overrides` change or drop (undefined) fields. */
function repository(overrides: Partial<Repository> = {}): Repository {
  return {
    repositoryName: NAME,
    repositoryUri: URI,
    repositoryArn: ARN,
    registryId: ACCOUNT,
    imageTagMutability: 'MUTABLE',
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: 'AES256' },
    ...overrides,
  };
}

const notFound = () =>
  new RepositoryNotFoundException({
    message: `The repository with name '${NAME}' does not exist in the registry with id '${ACCOUNT}'`,
    $metadata: {},
  });
const alreadyExists = () =>
  new RepositoryAlreadyExistsException({
    message: `The repository with name '${NAME}' already exists in the registry with id '${ACCOUNT}'`,
    $metadata: {},
  });
const filters = (...values: string[]) =>
  values.map((filter) => ({ filter, filterType: 'WILDCARD' as const }));

const mocked = useMockedEcr();

describe('describeRepository', () => {
  test('maps the repository: URI, ARN, mutability with its filters, scanning and the KMS key', async () => {
    mocked
      .ecr()
      .on(DescribeRepositoriesCommand)
      .resolves({
        repositories: [
          repository({
            imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
            imageTagMutabilityExclusionFilters: filters('latest', 'dev-*'),
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KEY_ARN },
          }),
        ],
      });

    await expect(describeRepository(mocked.client(), target)).resolves.toEqual({
      name: NAME,
      uri: URI,
      arn: ARN,
      registryId: ACCOUNT,
      tagMutability: { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest', 'dev-*'] },
      scanOnPush: true,
      encryption: { type: 'KMS', kmsKey: KEY_ARN },
    });
    expect(mocked.ecr()).toHaveReceivedCommandWith(DescribeRepositoriesCommand, {
      repositoryNames: [NAME],
      registryId: ACCOUNT,
    });
  });

  test("fields ECR leaves out read as its defaults; no registryId means the credentials' registry", async () => {
    mocked
      .ecr()
      .on(DescribeRepositoriesCommand)
      .resolves({
        repositories: [
          repository({
            imageTagMutability: undefined,
            imageScanningConfiguration: undefined,
            encryptionConfiguration: undefined,
          }),
        ],
      });

    const found = await describeRepository(mocked.client(), { name: NAME, policyFor });

    expect(found).toMatchObject({
      tagMutability: { mutability: 'MUTABLE', exclusionFilters: [] },
      scanOnPush: false,
      encryption: { type: 'AES256' },
    });
    expect(mocked.ecr().commandCalls(DescribeRepositoriesCommand)[0]?.args[0].input).toEqual({
      repositoryNames: [NAME],
    });
  });

  test('RepositoryNotFoundException means there is none', async () => {
    mocked.ecr().on(DescribeRepositoriesCommand).rejects(notFound());
    await expect(describeRepository(mocked.client(), target)).resolves.toBeUndefined();
  });

  test('a tag mutability this version does not know fails rather than planning tags against a guess', async () => {
    mocked
      .ecr()
      .on(DescribeRepositoriesCommand)
      .resolves({
        repositories: [
          repository({ imageTagMutability: 'SOMETHING_NEW' as Repository['imageTagMutability'] }),
        ],
      });
    await expect(describeRepository(mocked.client(), target)).rejects.toThrow(
      'ECR reports the tag mutability SOMETHING_NEW for the repository team/app, which this version of the action does not know; update the action.',
    );
  });

  test('a repository described without its URI is an error, not an empty URI', async () => {
    mocked
      .ecr()
      .on(DescribeRepositoriesCommand)
      .resolves({ repositories: [repository({ repositoryUri: undefined })] });
    await expect(describeRepository(mocked.client(), target)).rejects.toThrow(/without its URI/);
  });
});

describe('ensureRepository: an existing repository', () => {
  const existing = (mutability: TagMutabilitySetting, scanOnPush = false) => {
    mocked
      .ecr()
      .on(DescribeRepositoriesCommand)
      .resolves({
        repositories: [
          repository({
            imageTagMutability: mutability.mutability,
            ...(mutability.exclusionFilters.length > 0 && {
              imageTagMutabilityExclusionFilters: filters(...mutability.exclusionFilters),
            }),
            imageScanningConfiguration: { scanOnPush },
          }),
        ],
      });
  };
  const MUTABLE = { mutability: 'MUTABLE', exclusionFilters: [] } as const satisfies TagMutabilitySetting;

  test('that already matches gets no write call (a re-run)', async () => {
    existing({ mutability: 'IMMUTABLE', exclusionFilters: [] }, true);

    const result = await ensureRepository(
      mocked.client(),
      ensureOptions(settingsOf({ tagMutability: 'IMMUTABLE', scanOnPush: 'true', encryption: 'AES256' })),
    );

    expect(result).toMatchObject({ created: false, updated: {}, notices: [] });
    expect(mocked.ecr()).not.toHaveReceivedCommand(PutImageTagMutabilityCommand);
    expect(mocked.ecr()).not.toHaveReceivedCommand(PutImageScanningConfigurationCommand);
    expect(mocked.ecr()).not.toHaveReceivedCommand(CreateRepositoryCommand);
  });

  test.each<[string, TagMutabilitySetting, Partial<RepositorySettingsInputs>, object | undefined]>([
    ['MUTABLE → IMMUTABLE', MUTABLE, { tagMutability: 'IMMUTABLE' }, { imageTagMutability: 'IMMUTABLE' }],
    [
      'IMMUTABLE → MUTABLE (no filters sent)',
      { mutability: 'IMMUTABLE', exclusionFilters: [] },
      { tagMutability: 'mutable' },
      { imageTagMutability: 'MUTABLE' },
    ],
    [
      'IMMUTABLE → IMMUTABLE_WITH_EXCLUSION',
      { mutability: 'IMMUTABLE', exclusionFilters: [] },
      { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'latest, dev-*' },
      {
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: filters('latest', 'dev-*'),
      },
    ],
    [
      'MUTABLE → MUTABLE_WITH_EXCLUSION',
      MUTABLE,
      { tagMutability: 'mutable-with-exclusion', tagMutabilityExclusions: 'v*' },
      { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: filters('v*') },
    ],
    [
      'IMMUTABLE_WITH_EXCLUSION → MUTABLE (the filters go with it)',
      { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest'] },
      { tagMutability: 'MUTABLE' },
      { imageTagMutability: 'MUTABLE' },
    ],
    [
      'same mutability, another filter',
      { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest'] },
      { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'latest, main' },
      {
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: filters('latest', 'main'),
      },
    ],
    [
      'same filters in another order: no call',
      { mutability: 'MUTABLE_WITH_EXCLUSION', exclusionFilters: ['v*', 'release-*'] },
      { tagMutability: 'MUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'release-*, v*' },
      undefined,
    ],
    ['each value unchanged: no call', MUTABLE, { tagMutability: 'MUTABLE' }, undefined],
    [
      'tag-mutability not set: never touched',
      { mutability: 'IMMUTABLE', exclusionFilters: [] },
      {},
      undefined,
    ],
  ])('tag mutability %s', async (_name, current, inputs, expected) => {
    existing(current);

    const result = await ensureRepository(mocked.client(), ensureOptions(settingsOf(inputs)));

    if (expected === undefined) {
      expect(mocked.ecr()).not.toHaveReceivedCommand(PutImageTagMutabilityCommand);
      expect(result.repository.tagMutability).toEqual(current);
      return;
    }
    expect(mocked.ecr()).toHaveReceivedCommandTimes(PutImageTagMutabilityCommand, 1);
    expect(mocked.ecr().commandCalls(PutImageTagMutabilityCommand)[0]?.args[0].input).toEqual({
      repositoryName: NAME,
      registryId: ACCOUNT,
      ...expected,
    });
    // The returned repository is the updated one, so tags are planned against the new setting.
    expect(result.repository.tagMutability).toEqual(settingsOf(inputs).tagMutability);
    expect(result.updated.tagMutability).toEqual(settingsOf(inputs).tagMutability);
  });

  test.each<[boolean, string, boolean]>([
    [false, 'true', true],
    [true, 'false', true],
    [true, 'true', false],
    [false, '', false],
  ])('scan-on-push: %s in the repository, %j asked → written: %s', async (current, input, written) => {
    existing(MUTABLE, current);

    const result = await ensureRepository(mocked.client(), ensureOptions(settingsOf({ scanOnPush: input })));

    if (written) {
      expect(mocked.ecr()).toHaveReceivedCommandTimes(PutImageScanningConfigurationCommand, 1);
      expect(mocked.ecr()).toHaveReceivedCommandWith(PutImageScanningConfigurationCommand, {
        repositoryName: NAME,
        registryId: ACCOUNT,
        imageScanningConfiguration: { scanOnPush: !current },
      });
      expect(result.repository.scanOnPush).toBe(!current);
    } else {
      expect(mocked.ecr()).not.toHaveReceivedCommand(PutImageScanningConfigurationCommand);
      expect(result.repository.scanOnPush).toBe(current);
    }
    expect(mocked.ecr()).not.toHaveReceivedCommand(PutImageTagMutabilityCommand);
  });

  test('other encryption than asked is a notice for the log; no call can change it', async () => {
    existing(MUTABLE);

    const result = await ensureRepository(mocked.client(), ensureOptions(settingsOf({ encryption: 'KMS' })));

    expect(result.notices).toEqual([expect.stringContaining('encrypted with AES256, not KMS')]);
    expect(mocked.ecr()).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 1);
    expect(mocked.ecr()).not.toHaveReceivedCommand(CreateRepositoryCommand);
  });
});

describe('ensureRepository: a missing repository', () => {
  test('is created with the whole request: mutability, filters, scanning, KMS key and tags', async () => {
    mocked.ecr().on(DescribeRepositoriesCommand).rejects(notFound());
    mocked
      .ecr()
      .on(CreateRepositoryCommand)
      .resolves({
        repository: repository({
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: filters('latest'),
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KEY_ARN },
        }),
      });
    const settings = settingsOf({
      tagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      tagMutabilityExclusions: 'latest',
      scanOnPush: 'true',
      encryption: 'KMS',
      kmsKey: KEY_ARN,
      repositoryTags: 'team=platform, cost-center=42',
    });

    const result = await ensureRepository(mocked.client(), ensureOptions(settings, true));

    expect(mocked.ecr()).toHaveReceivedCommandTimes(CreateRepositoryCommand, 1);
    expect(mocked.ecr().commandCalls(CreateRepositoryCommand)[0]?.args[0].input).toEqual({
      repositoryName: NAME,
      registryId: ACCOUNT,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: filters('latest'),
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KEY_ARN },
      tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'cost-center', Value: '42' },
      ],
    });
    expect(result).toEqual({
      repository: {
        name: NAME,
        uri: URI,
        arn: ARN,
        registryId: ACCOUNT,
        tagMutability: { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest'] },
        scanOnPush: true,
        encryption: { type: 'KMS', kmsKey: KEY_ARN },
      },
      created: true,
      updated: {},
      notices: [],
    });
    expect(mocked.ecr()).not.toHaveReceivedCommand(PutImageTagMutabilityCommand);
  });

  test('created by a parallel job first (RepositoryAlreadyExistsException): described again and aligned', async () => {
    mocked
      .ecr()
      .on(DescribeRepositoriesCommand)
      .rejectsOnce(notFound())
      .resolves({ repositories: [repository({ imageScanningConfiguration: { scanOnPush: false } })] });
    mocked.ecr().on(CreateRepositoryCommand).rejects(alreadyExists());

    const result = await ensureRepository(
      mocked.client(),
      ensureOptions(settingsOf({ scanOnPush: 'true' }), true),
    );

    expect(mocked.ecr()).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 2);
    expect(mocked.ecr()).toHaveReceivedCommandTimes(CreateRepositoryCommand, 1);
    expect(mocked.ecr()).toHaveReceivedCommandTimes(PutImageScanningConfigurationCommand, 1);
    expect(result).toMatchObject({ created: false, repository: { uri: URI, scanOnPush: true } });
  });

  test('already exists, yet still not described: a clear error', async () => {
    mocked.ecr().on(DescribeRepositoriesCommand).rejects(notFound());
    mocked.ecr().on(CreateRepositoryCommand).rejects(alreadyExists());
    await expect(ensureRepository(mocked.client(), ensureOptions(settingsOf({}), true))).rejects.toThrow(
      'ECR reported that the repository team/app already exists, yet does not describe it in eu-west-1; run the job again.',
    );
  });

  test.each<[string, RepositoryTarget, string]>([
    [
      'in a named registry',
      target,
      "The repository team/app does not exist in registry 111111111111 in eu-west-1: set 'create-repository: true' to let this step create it, or create it before this step.",
    ],
    [
      "in the credentials' registry",
      { name: NAME, policyFor },
      "The repository team/app does not exist in the registry of the AWS account in use in eu-west-1: set 'create-repository: true' to let this step create it, or create it before this step.",
    ],
  ])('without create-repository fails %s, naming the fix', async (_name, where, message) => {
    mocked.ecr().on(DescribeRepositoriesCommand).rejects(notFound());

    const failure = ensureRepository(mocked.client(), { ...where, settings: settingsOf({}), create: false });

    await expect(failure).rejects.toThrow(ActionError);
    await expect(failure).rejects.toThrow(message);
    expect(mocked.ecr()).not.toHaveReceivedCommand(CreateRepositoryCommand);
  });
});

describe('AWS errors become one line naming the IAM action', () => {
  test.each<[string, () => void, EnsureRepositoryOptions]>([
    [
      'ecr:DescribeRepositories',
      () => mocked.ecr().on(DescribeRepositoriesCommand).rejects(accessDenied('ecr:DescribeRepositories')),
      ensureOptions(settingsOf({})),
    ],
    [
      'ecr:CreateRepository',
      () => {
        mocked.ecr().on(DescribeRepositoriesCommand).rejects(notFound());
        mocked.ecr().on(CreateRepositoryCommand).rejects(accessDenied('ecr:CreateRepository'));
      },
      ensureOptions(settingsOf({}), true),
    ],
    [
      'ecr:PutImageTagMutability',
      () => {
        mocked
          .ecr()
          .on(DescribeRepositoriesCommand)
          .resolves({ repositories: [repository()] });
        mocked.ecr().on(PutImageTagMutabilityCommand).rejects(accessDenied('ecr:PutImageTagMutability'));
      },
      ensureOptions(settingsOf({ tagMutability: 'IMMUTABLE' })),
    ],
    [
      'ecr:PutImageScanningConfiguration',
      () => {
        mocked
          .ecr()
          .on(DescribeRepositoriesCommand)
          .resolves({ repositories: [repository()] });
        mocked
          .ecr()
          .on(PutImageScanningConfigurationCommand)
          .rejects(accessDenied('ecr:PutImageScanningConfiguration'));
      },
      ensureOptions(settingsOf({ scanOnPush: 'true' })),
    ],
  ])('AccessDenied on %s', async (action, arrange, options) => {
    arrange();
    const failure = ensureRepository(mocked.client(), options);
    await expect(failure).rejects.toThrow(ActionError);
    await expect(failure).rejects.toThrow(
      `Access denied: the AWS identity may not call ${action} in eu-west-1 (repository team/app of registry 111111111111)`,
    );
    await expect(failure).rejects.toThrow(`Attach this IAM policy to the role: ${policyFor(action)}`);
  });

  test('throttling past max-attempts names the attempts the client was built with', async () => {
    mocked
      .ecr()
      .on(DescribeRepositoriesCommand)
      .rejects(
        new ECRServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: { attempts: 3, httpStatusCode: 400 },
        }),
      );
    await expect(describeRepository(mocked.client(), { name: NAME, policyFor })).rejects.toThrow(
      "AWS throttled ecr:DescribeRepositories in eu-west-1 (repository team/app) after 3 of 3 attempts (Rate exceeded): raise 'max-attempts' or run fewer jobs at once.",
    );
  });
});
