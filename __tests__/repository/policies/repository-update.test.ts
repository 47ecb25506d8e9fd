import { describe, expect, test } from '@jest/globals';
import {
  parseRepositorySettings,
  type RepositorySettingsInputs,
} from '../../../src/repository/policies/repository-settings.js';
import {
  createRepositoryRequest,
  planRepositoryUpdate,
  type RepositoryState,
} from '../../../src/repository/policies/repository-update.js';

const NONE: RepositorySettingsInputs = {
  tagMutability: '',
  tagMutabilityExclusions: '',
  scanOnPush: '',
  encryption: '',
  kmsKey: '',
  repositoryTags: '',
};
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;

function parse(inputs: Partial<RepositorySettingsInputs>) {
  return parseRepositorySettings({ ...NONE, ...inputs });
}

describe('createRepositoryRequest', () => {
  test('nothing set: only the name, so ECR applies its defaults', () => {
    expect(createRepositoryRequest('app', { resourceTags: [] })).toEqual({ repositoryName: 'app' });
  });

  test('every setting', () => {
    const settings = parse({
      tagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      tagMutabilityExclusions: 'latest',
      scanOnPush: 'true',
      encryption: 'KMS',
      kmsKey: 'alias/ecr',
      repositoryTags: 'team=platform',
    });
    expect(createRepositoryRequest('team/app', settings, '111122223333')).toEqual({
      repositoryName: 'team/app',
      registryId: '111122223333',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filter: 'latest', filterType: 'WILDCARD' }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/ecr' },
      tags: [{ Key: 'team', Value: 'platform' }],
    });
  });
});

describe('planRepositoryUpdate', () => {
  const current: RepositoryState = {
    tagMutability: { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest', 'dev-*'] },
    scanOnPush: false,
    encryption: { type: 'KMS', kmsKey: KEY_ARN },
  };

  test.each<[string, Partial<RepositorySettingsInputs>, object]>([
    ['nothing set', {}, { notices: [] }],
    [
      'same settings, filters in another order: no write',
      {
        tagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        tagMutabilityExclusions: 'dev-*, latest',
        scanOnPush: 'false',
        encryption: 'KMS',
        kmsKey: KEY_ID,
      },
      { notices: [] },
    ],
    [
      'mutability changed',
      { tagMutability: 'IMMUTABLE' },
      { tagMutability: { mutability: 'IMMUTABLE', exclusionFilters: [] }, notices: [] },
    ],
    [
      'a filter added',
      { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'latest, dev-*, main' },
      {
        tagMutability: {
          mutability: 'IMMUTABLE_WITH_EXCLUSION',
          exclusionFilters: ['latest', 'dev-*', 'main'],
        },
        notices: [],
      },
    ],
    ['scan turned on', { scanOnPush: 'true' }, { scanOnPush: true, notices: [] }],
    ['KMS with an alias cannot be compared', { encryption: 'KMS', kmsKey: 'alias/other' }, { notices: [] }],
  ])('%s', (_name, inputs, expected) => {
    expect(planRepositoryUpdate(parse(inputs), current)).toEqual(expected);
  });

  test.each<[string, Partial<RepositorySettingsInputs>, string]>([
    ['another encryption type', { encryption: 'AES256' }, 'The repository is encrypted with KMS, not AES256'],
    [
      'another key',
      { encryption: 'KMS', kmsKey: '00000000-0000-0000-0000-000000000000' },
      `encrypted with the KMS key ${KEY_ARN}, not 00000000-0000-0000-0000-000000000000`,
    ],
  ])('%s is a notice, never a call', (_name, inputs, notice) => {
    const update = planRepositoryUpdate(parse(inputs), current);
    expect(update.notices).toHaveLength(1);
    expect(update.notices[0]).toContain(notice);
    expect(update.notices[0]).toContain('create a new repository');
  });
});
