import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../../src/shared/errors.js';
import { parseResourceTags } from '../../../src/repository/policies/resource-tags.js';
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
