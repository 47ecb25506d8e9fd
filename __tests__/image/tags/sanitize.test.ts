import { describe, expect, test } from '@jest/globals';
import { TAG_NAME, toTagName } from '../../../src/image/tags/sanitize.js';

describe('toTagName', () => {
  test.each<[string, string | undefined]>([
    ['main', 'main'],
    ['v1.2.3', 'v1.2.3'],
    ['_private', '_private'],
    ['feature/x', 'feature-x'],
    ['a  b', 'a-b'],
    ['a/-/b', 'a---b'],
    ['.hidden', 'hidden'],
    ['-.-x', 'x'],
    // Letters with no decomposition are not transliterated.
    ['Ærøskøbing', 'r-sk-bing'],
    ['café', 'cafe'],
    ['', undefined],
    ['---', undefined],
    ['...', undefined],
    ['日本語', undefined],
    ['+', undefined],
  ])('%j → %j', (text, expected) => {
    expect(toTagName(text)).toBe(expected);
  });

  test('every result is a valid tag', () => {
    const samples = [
      '$(x)',
      '`x`',
      '\n\n--x',
      'x'.repeat(500),
      '~!@#$%^&*()+=[]{}|;:\'",<>?/ok',
      ' 🚀 ship it',
    ];
    for (const sample of samples) expect(toTagName(sample)).toMatch(TAG_NAME);
  });
});
