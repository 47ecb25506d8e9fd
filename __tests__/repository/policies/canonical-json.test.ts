import { describe, expect, test } from '@jest/globals';
import { canonicalJson, policiesEqual } from '../../../src/repository/policies/canonical-json.js';

describe('canonicalJson', () => {
  test.each<[string, unknown, string]>([
    ['scalars', 5, '5'],
    [
      'nested keys sorted',
      { b: { d: 1, c: [{ z: 1, a: 2 }] }, a: null },
      '{"a":null,"b":{"c":[{"a":2,"z":1}],"d":1}}',
    ],
    ['array order kept', [3, 1, 2], '[3,1,2]'],
  ])('%s', (_name, value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });
});

describe('policiesEqual', () => {
  test.each<[string, string, string, boolean]>([
    ['white space', '{"a":1}', '{\n  "a" : 1\n}\n', true],
    ['key order', '{"a":1,"b":{"c":2,"d":3}}', '{"b":{"d":3,"c":2},"a":1}', true],
    ['value differs', '{"a":1}', '{"a":2}', false],
    ['number as text', '{"a":1}', '{"a":"1"}', false],
    ['both not JSON, same text', ' not json ', 'not json', true],
    ['one not JSON', '{"a":1}', '{"a":1', false],
    ['empty stored policy', '', '{"a":1}', false],
  ])('%s', (_name, a, b, equal) => {
    expect(policiesEqual(a, b)).toBe(equal);
  });
});
