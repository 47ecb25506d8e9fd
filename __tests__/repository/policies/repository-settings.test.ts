import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../../src/shared/errors.js';
import {
  parseRepositorySettings,
  type RepositorySettingsInputs,
} from '../../../src/repository/policies/repository-settings.js';
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

/** The InputError a call throws, so each case can check input, value and the accepted text. */
function inputErrorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseRepositorySettings', () => {
  test('nothing set manages nothing', () => {
    expect(parse({})).toEqual({ resourceTags: [] });
  });

  test.each<[string, Partial<RepositorySettingsInputs>, object]>([
    [
      'mutable',
      { tagMutability: 'mutable' },
      { tagMutability: { mutability: 'MUTABLE', exclusionFilters: [] } },
    ],
    [
      'immutable',
      { tagMutability: 'IMMUTABLE' },
      { tagMutability: { mutability: 'IMMUTABLE', exclusionFilters: [] } },
    ],
    [
      'immutable with exclusions',
      { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'latest, dev-*\nmain' },
      {
        tagMutability: {
          mutability: 'IMMUTABLE_WITH_EXCLUSION',
          exclusionFilters: ['latest', 'dev-*', 'main'],
        },
      },
    ],
    [
      'mutable with exclusions, duplicates dropped',
      { tagMutability: 'MUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'v*.*.*, v*.*.*' },
      { tagMutability: { mutability: 'MUTABLE_WITH_EXCLUSION', exclusionFilters: ['v*.*.*'] } },
    ],
    [
      'five filters is the limit',
      { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'a,b,c,d,e' },
      {
        tagMutability: {
          mutability: 'IMMUTABLE_WITH_EXCLUSION',
          exclusionFilters: ['a', 'b', 'c', 'd', 'e'],
        },
      },
    ],
    ['scan on', { scanOnPush: 'true' }, { scanOnPush: true }],
    ['scan off', { scanOnPush: 'FALSE' }, { scanOnPush: false }],
    ['AES256', { encryption: 'aes256' }, { encryption: { type: 'AES256' } }],
    ['KMS with the AWS managed key', { encryption: 'KMS' }, { encryption: { type: 'KMS' } }],
    [
      'KMS with a key ARN',
      { encryption: 'kms', kmsKey: KEY_ARN },
      {
        encryption: {
          type: 'KMS',
          kmsKey: {
            form: 'key-arn',
            value: KEY_ARN,
            partition: 'aws',
            region: 'eu-west-1',
            accountId: '111122223333',
            keyId: KEY_ID,
          },
        },
      },
    ],
  ])('%s', (_name, inputs, expected) => {
    expect(parse(inputs)).toEqual({ resourceTags: [], ...expected });
  });

  test('repository tags', () => {
    expect(parse({ repositoryTags: 'team=platform, cost-center=42' }).resourceTags).toEqual([
      { key: 'team', value: 'platform' },
      { key: 'cost-center', value: '42' },
    ]);
  });

  test.each<[string, Partial<RepositorySettingsInputs>, string, string]>([
    [
      'exclusions without a mutability',
      { tagMutabilityExclusions: 'latest' },
      'tag-mutability-exclusions',
      'exclusion filters need tag-mutability IMMUTABLE_WITH_EXCLUSION',
    ],
    [
      'exclusions with plain IMMUTABLE',
      { tagMutability: 'IMMUTABLE', tagMutabilityExclusions: 'latest' },
      'tag-mutability-exclusions',
      'tag-mutability is IMMUTABLE, so remove them or change tag-mutability',
    ],
    [
      'WITH_EXCLUSION without filters',
      { tagMutability: 'IMMUTABLE_WITH_EXCLUSION' },
      'tag-mutability-exclusions',
      "IMMUTABLE_WITH_EXCLUSION needs 1-5 wildcard filters, e.g. 'latest, dev-*'",
    ],
    [
      'a filter with a slash',
      { tagMutability: 'MUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'release/*' },
      'tag-mutability-exclusions',
      'letters, digits, . _ - and the wildcard *',
    ],
    [
      'a filter too long',
      { tagMutability: 'MUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'a'.repeat(129) },
      'tag-mutability-exclusions',
      'a filter is 1-128 characters',
    ],
    [
      'six filters',
      { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: 'a,b,c,d,e,f' },
      'tag-mutability-exclusions',
      'ECR allows at most 5 filters, this gives 6',
    ],
    ['scan-on-push yes', { scanOnPush: 'yes' }, 'scan-on-push', 'use true or false'],
    ['encryption DSSE', { encryption: 'KMS_DSSE' }, 'encryption', 'use AES256'],
    ['kms-key with AES256', { encryption: 'AES256', kmsKey: KEY_ID }, 'kms-key', 'set encryption to KMS'],
    ['kms-key alone', { kmsKey: KEY_ID }, 'kms-key', 'set encryption to KMS'],
    ['kms-key malformed', { encryption: 'KMS', kmsKey: 'my-key' }, 'kms-key', 'give a KMS key ARN'],
  ])('%s', (_name, inputs, input, accepted) => {
    const error = inputErrorOf(() => parse(inputs));
    expect(error.input).toBe(input);
    expect(error.message).toContain(accepted);
  });
});
