import { describe, expect, test } from '@jest/globals';
import { parseBoolean, parseIntegerInRange } from '../../src/inputs/values.js';
import { InputError } from '../../src/shared/errors.js';

describe('parseBoolean', () => {
  test.each<[string, boolean | undefined, boolean]>([
    ['true', undefined, true],
    ['TRUE', undefined, true],
    [' false ', undefined, false],
    ['', true, true],
    ['', false, false],
  ])('%j (fallback %s) → %s', (value, fallback, expected) => {
    expect(parseBoolean('push', value, fallback)).toBe(expected);
  });

  test.each([['yes'], ['1'], ['on'], ['']])('%j is refused, naming the input and what it takes', (value) => {
    expect(() => parseBoolean('skip-logout', value)).toThrow(InputError);
    expect(() => parseBoolean('skip-logout', value)).toThrow(
      /^Input 'skip-logout': .* expected 'true' or 'false'\.$/,
    );
  });
});

describe('parseIntegerInRange', () => {
  test.each([
    ['1', 1],
    ['20', 20],
    [' 7 ', 7],
  ])('%j → %d', (value, expected) => {
    expect(parseIntegerInRange('max-attempts', value, 1, 20)).toBe(expected);
  });

  test.each([['0'], ['21'], ['-1'], ['1.5'], ['5x'], [''], ['1e1']])(
    '%j is refused with the range',
    (value) => {
      expect(() => parseIntegerInRange('max-attempts', value, 1, 20)).toThrow(
        /Input 'max-attempts': .* expected a whole number from 1 to 20\./,
      );
    },
  );
});
