import { describe, expect, test } from '@jest/globals';
import { readPolicySource } from '../../../src/repository/policies/policy-source.js';

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
