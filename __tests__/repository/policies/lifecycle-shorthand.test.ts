import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../../src/shared/errors.js';
import { resolveLifecyclePolicy } from '../../../src/repository/policies/lifecycle.js';
import { compileLifecycleShorthand } from '../../../src/repository/policies/lifecycle-shorthand.js';
import { validateLifecyclePolicy } from '../../../src/repository/policies/lifecycle-validate.js';
const noFiles = (path: string): string => {
  throw new Error(`ENOENT: no such file or directory, open '${path}'`);
};

const expire = { type: 'expire' };
const keepAny = (rulePriority: number, countNumber: number) => ({
  rulePriority,
  selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber },
  action: expire,
});
const untaggedDays = (rulePriority: number, countNumber: number) => ({
  rulePriority,
  selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber },
  action: expire,
});

describe('compileLifecycleShorthand', () => {
  test.each<[string, string, object[]]>([
    [
      'keep',
      'keep=30',
      [
        {
          rulePriority: 1,
          description: 'Keep the 30 most recent images',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
          action: expire,
        },
      ],
    ],
    [
      'keep-days',
      'keep-days=90',
      [
        {
          rulePriority: 1,
          description: 'Expire images 90 days after push',
          selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 90 },
          action: expire,
        },
      ],
    ],
    [
      'untagged-keep',
      'untagged-keep=1',
      [
        {
          rulePriority: 1,
          description: 'Keep the 1 most recent untagged images',
          selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 },
          action: expire,
        },
      ],
    ],
    [
      'the example: prefix first, untagged next, catch-all last',
      'keep=30, untagged-days=7, keep-prefix=v:100',
      [
        {
          rulePriority: 1,
          description: 'Keep the 100 most recent images tagged v*',
          selection: {
            tagStatus: 'tagged',
            tagPrefixList: ['v'],
            countType: 'imageCountMoreThan',
            countNumber: 100,
          },
          action: expire,
        },
        { ...untaggedDays(2, 7), description: 'Expire untagged images 7 days after push' },
        { ...keepAny(3, 30), description: 'Keep the 30 most recent other images' },
      ],
    ],
    [
      'repeated prefixes keep their order; days with d',
      'keep-prefix=v:100\nkeep-prefix=pr-:14d',
      [
        {
          rulePriority: 1,
          description: 'Keep the 100 most recent images tagged v*',
          selection: {
            tagStatus: 'tagged',
            tagPrefixList: ['v'],
            countType: 'imageCountMoreThan',
            countNumber: 100,
          },
          action: expire,
        },
        {
          rulePriority: 2,
          description: 'Expire images tagged pr-* 14 days after push',
          selection: {
            tagStatus: 'tagged',
            tagPrefixList: ['pr-'],
            countType: 'sinceImagePushed',
            countUnit: 'days',
            countNumber: 14,
          },
          action: expire,
        },
      ],
    ],
    [
      'a pattern',
      'keep-pattern=release-*-final:5',
      [
        {
          rulePriority: 1,
          description: 'Keep the 5 most recent images tagged release-*-final',
          selection: {
            tagStatus: 'tagged',
            tagPatternList: ['release-*-final'],
            countType: 'imageCountMoreThan',
            countNumber: 5,
          },
          action: expire,
        },
      ],
    ],
    [
      'spaces, colons and upper case keys',
      'KEEP: 10 ,  untagged-keep = 2',
      [
        {
          ...untaggedDays(1, 2),
          description: 'Keep the 2 most recent untagged images',
          selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 2 },
        },
        { ...keepAny(2, 10), description: 'Keep the 10 most recent other images' },
      ],
    ],
  ])('%s', (_name, text, rules) => {
    const policy = compileLifecycleShorthand(text);
    expect(policy.rules).toEqual(rules);
    expect(validateLifecyclePolicy(policy)).toBe(policy);
  });

  test.each([
    ['nothing but a comment', '# none yet', '# none yet', 'give at least one rule'],
    [
      'unknown key',
      'keep-tagged=5',
      'keep-tagged=5',
      'shorthand items are keep=, keep-days=, untagged-keep=, untagged-days=, keep-prefix=, keep-pattern=',
    ],
    ['not a number', 'keep=abc', 'keep=abc', 'the number must be a whole number of 1 or more'],
    ['zero', 'keep=0', 'keep=0', 'the number must be a whole number of 1 or more'],
    ['fraction', 'untagged-days=1.5', 'untagged-days=1.5', 'the number must be a whole number'],
    [
      'two catch-alls',
      'keep=30, keep-days=90',
      'keep=30, keep-days=90',
      'both make the catch-all rule and ECR allows one',
    ],
    [
      'two untagged rules',
      'untagged-days=7, untagged-keep=1',
      'untagged-days=7, untagged-keep=1',
      'both select untagged images',
    ],
    [
      'prefix without count',
      'keep-prefix=v',
      'keep-prefix=v',
      'use keep-prefix=PREFIX:COUNT or keep-prefix=PREFIX:DAYSd',
    ],
    ['prefix with wildcard', 'keep-prefix=v*:10', 'keep-prefix=v*:10', 'use keep-prefix=PREFIX:COUNT'],
    [
      'prefix twice',
      'keep-prefix=v:10, keep-prefix=v:20',
      'keep-prefix=v:20',
      "the prefix 'v' is given twice",
    ],
    [
      'pattern with a bad count',
      'keep-pattern=rc-*:ten',
      'keep-pattern=rc-*:ten',
      'use keep-pattern=PATTERN:COUNT',
    ],
  ])('rejects %s', (_name, text, value, accepted) => {
    let thrown: unknown;
    try {
      compileLifecycleShorthand(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect(thrown).toMatchObject({ input: 'lifecycle-policy', value });
    expect((thrown as InputError).accepted).toContain(accepted);
  });

  test('a pattern with five wildcards compiles but fails validation', () => {
    expect(() => resolveLifecyclePolicy('keep-pattern=*a*b*c*d*:3', noFiles)).toThrow(
      'lifecycle-policy: rule 1 (priority 1): the pattern "*a*b*c*d*" has 5 wildcards; ECR allows at most 4 per pattern.',
    );
  });
});
