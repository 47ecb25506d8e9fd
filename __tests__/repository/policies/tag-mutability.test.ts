import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../../src/shared/errors.js';
import { parseTagMutability } from '../../../src/repository/policies/repository-settings.js';
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
