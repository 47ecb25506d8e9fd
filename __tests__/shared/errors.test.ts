import { describe, expect, test } from '@jest/globals';
import { ActionError, InputError, messageOf, NoCredentialsError } from '../../src/shared/errors.js';

describe('errors carry the line the step fails with', () => {
  test('an InputError names the input, the value and what is accepted', () => {
    const error = new InputError('cache', 'redis', "expected 'ecr'");
    expect(error.message).toBe("Input 'cache': 'redis' is not valid; expected 'ecr'.");
    expect([error.input, error.value, error.accepted]).toEqual(['cache', 'redis', "expected 'ecr'"]);
  });

  test('an empty value is called one, not shown as quotes', () => {
    expect(new InputError('file', '', 'name the Dockerfile').message).toBe(
      "Input 'file': an empty value is not valid; name the Dockerfile.",
    );
  });

  test('a missing-credentials error is an ActionError a build-only run can catch by kind', () => {
    const error = new NoCredentialsError('no credentials', { cause: new Error('inner') });
    expect(error).toBeInstanceOf(ActionError);
    expect(error.name).toBe('NoCredentialsError');
    expect((error.cause as Error).message).toBe('inner');
  });

  test.each<[unknown, string]>([
    [new ActionError('fix it'), 'fix it'],
    ['a thrown string', 'a thrown string'],
    [42, '42'],
    [undefined, 'undefined'],
  ])('messageOf(%p)', (thrown, expected) => {
    expect(messageOf(thrown)).toBe(expected);
  });
});
