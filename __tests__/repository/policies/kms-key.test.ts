import { describe, expect, test } from '@jest/globals';
import { parseKmsKey } from '../../../src/repository/policies/kms-key.js';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

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
