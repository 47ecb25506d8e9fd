import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../../src/shared/errors.js';
import { parseKmsKey } from '../../../src/repository/policies/kms-key.js';
import {
  parseRepositorySettings,
  parseTagMutability,
  type RepositorySettingsInputs,
} from '../../../src/repository/policies/repository-settings.js';
import { parseResourceTags } from '../../../src/repository/policies/resource-tags.js';
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

describe('parseTagMutability', () => {
  test.each([
    ['MUTABLE', 'MUTABLE'],
    ['immutable', 'IMMUTABLE'],
    ['Immutable_With_Exclusion', 'IMMUTABLE_WITH_EXCLUSION'],
    ['mutable-with-exclusion', 'MUTABLE_WITH_EXCLUSION'],
    ['  IMMUTABLE  ', 'IMMUTABLE'],
  ])('%s → %s', (text, expected) => {
    expect(parseTagMutability(text)).toBe(expected);
  });

  test.each(['frozen', 'IMMUTABLE_WITH_EXCLUSIONS', 'true'])('rejects %s', (text) => {
    const error = inputErrorOf(() => parseTagMutability(text));
    expect(error.input).toBe('tag-mutability');
    expect(error.message).toContain(
      'use one of MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION',
    );
  });
});

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

describe('parseKmsKey', () => {
  test.each([
    [KEY_ID, { form: 'key-id', value: KEY_ID, keyId: KEY_ID }],
    [
      'mrk-1234abcd12ab34cd56ef1234567890ab',
      {
        form: 'key-id',
        value: 'mrk-1234abcd12ab34cd56ef1234567890ab',
        keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab',
      },
    ],
    ['alias/ecr-images', { form: 'alias-name', value: 'alias/ecr-images', alias: 'alias/ecr-images' }],
    [
      'arn:aws-cn:kms:cn-north-1:111122223333:alias/team/ecr',
      {
        form: 'alias-arn',
        value: 'arn:aws-cn:kms:cn-north-1:111122223333:alias/team/ecr',
        partition: 'aws-cn',
        region: 'cn-north-1',
        accountId: '111122223333',
        alias: 'alias/team/ecr',
      },
    ],
  ])('%s', (text, expected) => {
    expect(parseKmsKey(text)).toEqual(expected);
  });

  test.each([
    '',
    'alias/',
    'arn:aws:kms:eu-west-1:111122223333:key/not-a-key',
    'arn:aws:s3:::bucket',
    'ALIAS/x',
  ])('rejects %j', (text) => {
    expect(() => parseKmsKey(text)).toThrow("Input 'kms-key'");
  });
});

describe('parseResourceTags', () => {
  test.each<[string, string, { key: string; value: string }[]]>([
    ['empty', '', []],
    ['value with =', 'query=a=b', [{ key: 'query', value: 'a=b' }]],
    ['empty value', 'flag=', [{ key: 'flag', value: '' }]],
    [
      'spaces and symbols',
      'Owner Team=platform@example.com:+/',
      [{ key: 'Owner Team', value: 'platform@example.com:+/' }],
    ],
    ['unicode letters', 'équipe=données', [{ key: 'équipe', value: 'données' }]],
    [
      'newlines',
      'a=1\nb=2',
      [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseResourceTags(text)).toEqual(expected);
  });

  test.each([
    ['no =', 'team', 'each item is key=value'],
    ['empty key', '=x', 'a tag key is 1-128'],
    ['key too long', `${'k'.repeat(129)}=x`, 'a tag key is 1-128'],
    ['value too long', `k=${'v'.repeat(257)}`, 'a tag value is 0-256'],
    ['bad character', 'team=a!b', 'a tag value is 0-256'],
    ['reserved prefix', 'AWS:team=x', "keys starting with 'aws:' are reserved"],
    ['duplicate key', 'team=a, team=b', "the key 'team' is given twice"],
    [
      'too many',
      Array.from({ length: 51 }, (_, index) => `k${index}=v`).join(','),
      'at most 50 tags, this gives 51',
    ],
  ])('rejects %s', (_name, text, accepted) => {
    const error = inputErrorOf(() => parseResourceTags(text));
    expect(error.input).toBe('repository-tags');
    expect(error.message).toContain(accepted);
  });

  test('a key of 128 characters and a value of 256 are accepted', () => {
    expect(parseResourceTags(`${'k'.repeat(128)}=${'v'.repeat(256)}`)).toHaveLength(1);
  });
});

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
