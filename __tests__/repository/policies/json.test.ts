import { describe, expect, test } from '@jest/globals';
import { canonicalJson, policiesEqual } from '../../../src/repository/policies/canonical-json.js';
import { readPolicySource } from '../../../src/repository/policies/policy-source.js';
import {
  countWildcards,
  matchesAnyWildcard,
  matchesWildcard,
} from '../../../src/repository/policies/wildcard.js';

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

describe('ECR wildcards', () => {
  test.each<[string, string, boolean]>([
    ['latest', 'latest', true],
    ['latest', 'latest-1', false],
    ['dev-*', 'dev-', true],
    ['dev-*', 'dev-feature.x', true],
    ['dev-*', 'prod-dev-1', false],
    ['*-rc*', '1.0.0-rc.1', true],
    ['v*.*', 'v1.2', true],
    ['v*.*', 'v12', false],
    ['*', 'anything', true],
    ['a.b', 'aXb', false],
    ['Latest', 'latest', false],
  ])('%s matches %s: %s', (filter, tag, expected) => {
    expect(matchesWildcard(filter, tag)).toBe(expected);
  });

  test('any of several filters', () => {
    expect(matchesAnyWildcard(['main', 'dev-*'], 'dev-1')).toBe(true);
    expect(matchesAnyWildcard(['main', 'dev-*'], 'v1')).toBe(false);
    expect(matchesAnyWildcard([], 'v1')).toBe(false);
  });

  test.each([
    ['v1', 0],
    ['*', 1],
    ['*a*b*c*', 4],
  ])('%s has %d wildcards', (filter, count) => {
    expect(countWildcards(filter)).toBe(count);
  });
});

describe('readPolicySource', () => {
  const files: Record<string, string> = { 'p.json': '{"x":1}', 'keep.json': '{"y":2}' };
  const readFile = (path: string): string => {
    const content = files[path];
    if (content === undefined) throw new Error(`ENOENT: ${path}`);
    return content;
  };

  test.each<[string, string, object]>([
    ['inline JSON', '  {"x": 1}', { kind: 'inline', json: { x: 1 } }],
    ['a path', 'p.json\n', { kind: 'file', path: 'p.json', json: { x: 1 } }],
    ['a path that starts like a key', 'keep.json', { kind: 'file', path: 'keep.json', json: { y: 2 } }],
    ['shorthand with =', 'keep=3', { kind: 'shorthand', text: 'keep=3' }],
    ['shorthand with :', 'Keep : 3', { kind: 'shorthand', text: 'Keep : 3' }],
  ])('%s', (_name, text, expected) => {
    expect(readPolicySource('some-input', text, readFile, ['keep'])).toEqual(expected);
  });

  test('an unknown shorthand key is read as a path', () => {
    expect(() => readPolicySource('some-input', 'kep=3', readFile, ['keep'])).toThrow(
      "Input 'some-input': 'kep=3' is not valid; it is read as a file path, and the file could not be read (ENOENT: kep=3)",
    );
  });
});
