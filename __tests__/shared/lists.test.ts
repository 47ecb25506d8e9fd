import { describe, expect, test } from '@jest/globals';
import { parseList, parseRows } from '../../src/shared/lists.js';

describe('parseList', () => {
  test.each<[string, string, string[]]>([
    ['empty', '', []],
    ['commas', 'a,b, c', ['a', 'b', 'c']],
    ['newlines', 'a\nb\n\nc\n', ['a', 'b', 'c']],
    ['mixed', 'a, b\nc', ['a', 'b', 'c']],
    ['blank items', 'a,,b, ,', ['a', 'b']],
    ['quoted comma', '"x,y",z', ['x,y', 'z']],
    ['comment line', '# note\na', ['a']],
    ['CRLF', 'a\r\nb', ['a', 'b']],
  ])('%s', (_name, text, expected) => {
    expect(parseList(text)).toEqual(expected);
  });
});

describe('parseRows', () => {
  test('keeps one row per line', () => {
    expect(parseRows('type=sha,length=8\ntype=branch')).toEqual([['type=sha', 'length=8'], ['type=branch']]);
  });
});

describe('comments', () => {
  test('a # inside a value is kept', () => {
    expect(parseList('team=a#b, c')).toEqual(['team=a#b', 'c']);
  });
});
