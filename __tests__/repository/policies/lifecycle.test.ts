import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ActionError, InputError } from '../../../src/shared/errors.js';
import { policiesEqual } from '../../../src/repository/policies/canonical-json.js';
import { resolveLifecyclePolicy } from '../../../src/repository/policies/lifecycle.js';
import { compileLifecycleShorthand } from '../../../src/repository/policies/lifecycle-shorthand.js';
import { validateLifecyclePolicy } from '../../../src/repository/policies/lifecycle-validate.js';
import { fixturePath } from '../../fixtures/paths.js';

const FIXTURES = fixturePath('policies');
const readFixture = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');
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

describe('resolveLifecyclePolicy', () => {
  test('empty: the repository policy is left alone', () => {
    expect(resolveLifecyclePolicy('  \n', noFiles)).toBeUndefined();
  });

  test('inline JSON', () => {
    const resolved = resolveLifecyclePolicy(JSON.stringify({ rules: [keepAny(1, 5)] }, null, 2), noFiles);
    expect(resolved).toEqual({
      policy: { rules: [keepAny(1, 5)] },
      text: JSON.stringify({ rules: [keepAny(1, 5)] }),
      source: 'inline',
    });
  });

  test('a file', () => {
    const resolved = resolveLifecyclePolicy('lifecycle.json', readFixture);
    expect(resolved?.source).toBe('file');
    expect(resolved?.policy.rules.map((rule) => rule.rulePriority)).toEqual([10, 20]);
    expect(policiesEqual(resolved?.text ?? '', readFixture('lifecycle.json'))).toBe(true);
  });

  test('shorthand', () => {
    const resolved = resolveLifecyclePolicy('keep=30', noFiles);
    expect(resolved?.source).toBe('shorthand');
    expect(resolved?.policy.rules).toHaveLength(1);
  });

  test('a missing file names the path and the other forms', () => {
    expect(() => resolveLifecyclePolicy('ci/lifecycle.json', noFiles)).toThrow(
      "Input 'lifecycle-policy': 'ci/lifecycle.json' is not valid; it is read as a file path, and the file could not be read (ENOENT: no such file or directory, open 'ci/lifecycle.json'); give a path to a JSON file in the workspace, inline JSON starting with '{', or shorthand starting with 'keep=',",
    );
  });

  test('a file that is not JSON', () => {
    expect(() =>
      resolveLifecyclePolicy('policy.json', () => '{ "rules": [ { "rulePriority": 1, } ] }'),
    ).toThrow(/^lifecycle-policy: the file policy\.json is not valid JSON \(.+\); fix the syntax\.$/);
  });

  test('inline JSON that is not JSON', () => {
    expect(() => resolveLifecyclePolicy('{rules: []}', noFiles)).toThrow(
      /^lifecycle-policy: the inline JSON is not valid JSON/,
    );
  });
});

describe('validateLifecyclePolicy', () => {
  const tagged = (extra: object = {}) => ({
    rulePriority: 1,
    selection: {
      tagStatus: 'tagged',
      tagPrefixList: ['v'],
      countType: 'imageCountMoreThan',
      countNumber: 3,
      ...extra,
    },
    action: expire,
  });

  test.each<[string, object]>([
    ['the fixture', JSON.parse(readFixture('lifecycle.json')) as object],
    ['priorities need not be sequential', { rules: [untaggedDays(3, 1), keepAny(100, 5)] }],
    [
      'four wildcards',
      {
        rules: [
          {
            ...tagged(),
            selection: {
              tagStatus: 'tagged',
              tagPatternList: ['*a*b*c*'],
              countType: 'imageCountMoreThan',
              countNumber: 1,
            },
          },
        ],
      },
    ],
    [
      'transition to archive, then expire archived images',
      {
        rules: [
          {
            rulePriority: 1,
            selection: {
              tagStatus: 'any',
              countType: 'sinceImagePulled',
              countUnit: 'days',
              countNumber: 90,
            },
            action: { type: 'transition', targetStorageClass: 'archive' },
          },
          {
            rulePriority: 2,
            selection: {
              tagStatus: 'any',
              storageClass: 'archive',
              countType: 'sinceImageTransitioned',
              countUnit: 'days',
              countNumber: 365,
            },
            action: expire,
          },
        ],
      },
    ],
  ])('accepts %s', (_name, policy) => {
    expect(validateLifecyclePolicy(policy)).toEqual(policy);
  });

  test.each<[string, unknown, string]>([
    ['not an object', [], 'lifecycle-policy: expected an object with "rules", got an array'],
    ['no rules', {}, 'lifecycle-policy: "rules" must be a non-empty array, got nothing'],
    ['empty rules', { rules: [] }, 'lifecycle-policy: "rules" must be a non-empty array, got an array'],
    [
      'unknown top key',
      { rules: [keepAny(1, 1)], rule: [] },
      'lifecycle-policy: unknown key "rule"; a policy holds only "rules"',
    ],
    ['rule not an object', { rules: ['x'] }, 'lifecycle-policy: rule 1: expected an object, got "x"'],
    [
      'priority zero',
      { rules: [keepAny(0, 1)] },
      'lifecycle-policy: rule 1: "rulePriority" must be a whole number of 1 or more, got 0',
    ],
    [
      'priority text',
      { rules: [{ ...keepAny(1, 1), rulePriority: '1' }] },
      'lifecycle-policy: rule 1: "rulePriority" must be a whole number of 1 or more, got "1"',
    ],
    [
      'priority fraction',
      { rules: [keepAny(1.5, 1)] },
      'lifecycle-policy: rule 1: "rulePriority" must be a whole number of 1 or more, got 1.5',
    ],
    [
      'duplicate priority',
      { rules: [untaggedDays(5, 1), tagged({}), { ...untaggedDays(5, 2) }] },
      'lifecycle-policy: rule 3 (priority 5): rule 1 has the same priority; each rule needs its own "rulePriority"',
    ],
    [
      'any rule not last',
      { rules: [untaggedDays(1, 1), keepAny(2, 5), { ...tagged(), rulePriority: 3 }] },
      'lifecycle-policy: rule 2 (priority 2): a "tagStatus": "any" rule must have the highest "rulePriority", but 3 is higher; give it a number above 3',
    ],
    [
      'description not text',
      { rules: [{ ...keepAny(1, 1), description: 5 }] },
      'lifecycle-policy: rule 1 (priority 1): "description" must be a string, got 5',
    ],
    [
      'typo in a rule key',
      { rules: [{ ...keepAny(1, 1), actions: expire }] },
      'lifecycle-policy: rule 1 (priority 1): unknown key "actions"; known keys are "rulePriority", "description", "selection", "action"',
    ],
    [
      'no selection',
      { rules: [{ rulePriority: 2, action: expire }] },
      'lifecycle-policy: rule 1 (priority 2): "selection" must be an object, got nothing',
    ],
    [
      'typo in selection',
      { rules: [tagged({ tagPrefixlist: ['x'] })] },
      'lifecycle-policy: rule 1 (priority 1): unknown key "tagPrefixlist" in "selection"',
    ],
    [
      'tag status',
      { rules: [{ ...keepAny(1, 1), selection: { ...keepAny(1, 1).selection, tagStatus: 'all' } }] },
      'lifecycle-policy: rule 1 (priority 1): "tagStatus" must be "tagged" or "untagged" or "any", got "all"',
    ],
    [
      'tagged without a list',
      {
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 },
            action: expire,
          },
        ],
      },
      'lifecycle-policy: rule 1 (priority 1): a "tagged" rule needs "tagPrefixList" or "tagPatternList" to say which tags it selects',
    ],
    [
      'both lists',
      { rules: [tagged({ tagPatternList: ['v*'] })] },
      'lifecycle-policy: rule 1 (priority 1): give "tagPrefixList" or "tagPatternList", not both',
    ],
    [
      'prefix list with untagged',
      {
        rules: [
          { ...untaggedDays(1, 1), selection: { ...untaggedDays(1, 1).selection, tagPrefixList: ['v'] } },
        ],
      },
      'lifecycle-policy: rule 1 (priority 1): "tagPrefixList" and "tagPatternList" select tags, so they only go with "tagStatus": "tagged", not "untagged"',
    ],
    [
      'pattern list with any',
      { rules: [{ ...keepAny(1, 1), selection: { ...keepAny(1, 1).selection, tagPatternList: ['v*'] } }] },
      'so they only go with "tagStatus": "tagged", not "any"',
    ],
    [
      'empty prefix list',
      { rules: [tagged({ tagPrefixList: [] })] },
      'lifecycle-policy: rule 1 (priority 1): "tagPrefixList" must be a non-empty array of strings, got an array',
    ],
    [
      'prefix list as text',
      { rules: [tagged({ tagPrefixList: 'v' })] },
      '"tagPrefixList" must be a non-empty array of strings, got "v"',
    ],
    [
      'wildcard in a prefix',
      { rules: [tagged({ tagPrefixList: ['v*'] })] },
      '"tagPrefixList" entry "v*" is not a tag prefix: use 1-128 letters, digits, . _ -',
    ],
    [
      'five wildcards',
      {
        rules: [
          {
            rulePriority: 2,
            selection: {
              tagStatus: 'tagged',
              tagPatternList: ['ok*', 'test*1*2*3*4*5'],
              countType: 'imageCountMoreThan',
              countNumber: 1,
            },
            action: expire,
          },
        ],
      },
      'lifecycle-policy: rule 1 (priority 2): the pattern "test*1*2*3*4*5" has 5 wildcards; ECR allows at most 4 per pattern',
    ],
    [
      'count type',
      {
        rules: [
          {
            ...keepAny(1, 1),
            selection: { tagStatus: 'any', countType: 'imageCountLessThan', countNumber: 1 },
          },
        ],
      },
      'lifecycle-policy: rule 1 (priority 1): "countType" must be "imageCountMoreThan" or "sinceImagePushed" or "sinceImagePulled" or "sinceImageTransitioned", got "imageCountLessThan"',
    ],
    [
      'unit with a count',
      { rules: [{ ...keepAny(1, 1), selection: { ...keepAny(1, 1).selection, countUnit: 'days' } }] },
      '"countUnit" goes only with the age count types (since...); remove it from an imageCountMoreThan rule',
    ],
    [
      'age without unit',
      {
        rules: [
          {
            ...untaggedDays(1, 1),
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1 },
          },
        ],
      },
      '"sinceImagePushed" counts days: set "countUnit": "days", got nothing',
    ],
    [
      'age in hours',
      {
        rules: [
          { ...untaggedDays(1, 1), selection: { ...untaggedDays(1, 1).selection, countUnit: 'hours' } },
        ],
      },
      '"sinceImagePushed" counts days: set "countUnit": "days", got "hours"',
    ],
    [
      'count zero',
      { rules: [keepAny(1, 0)] },
      'lifecycle-policy: rule 1 (priority 1): "countNumber" must be a whole number of 1 or more, got 0',
    ],
    [
      'count missing',
      {
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan' },
            action: expire,
          },
        ],
      },
      '"countNumber" must be a whole number of 1 or more, got nothing',
    ],
    [
      'storage class',
      { rules: [{ ...keepAny(1, 1), selection: { ...keepAny(1, 1).selection, storageClass: 'glacier' } }] },
      '"storageClass" must be "standard" or "archive", got "glacier"',
    ],
    [
      'transitioned without archive',
      {
        rules: [
          {
            rulePriority: 1,
            selection: {
              tagStatus: 'any',
              countType: 'sinceImageTransitioned',
              countUnit: 'days',
              countNumber: 1,
            },
            action: expire,
          },
        ],
      },
      '"sinceImageTransitioned" selects archived images: set "storageClass": "archive"',
    ],
    [
      'archive with a push age',
      {
        rules: [
          { ...untaggedDays(1, 1), selection: { ...untaggedDays(1, 1).selection, storageClass: 'archive' } },
        ],
      },
      'archived images are selected only with "countType": "sinceImageTransitioned", not "sinceImagePushed"',
    ],
    [
      'no action',
      { rules: [{ rulePriority: 1, selection: keepAny(1, 1).selection }] },
      'lifecycle-policy: rule 1 (priority 1): "action" must be an object such as {"type": "expire"}',
    ],
    [
      'action type',
      { rules: [{ ...keepAny(1, 1), action: { type: 'delete' } }] },
      '"action.type" must be "expire" or "transition", got "delete"',
    ],
    [
      'transition of archived images',
      {
        rules: [
          {
            rulePriority: 1,
            selection: {
              tagStatus: 'any',
              storageClass: 'archive',
              countType: 'sinceImageTransitioned',
              countUnit: 'days',
              countNumber: 1,
            },
            action: { type: 'transition', targetStorageClass: 'archive' },
          },
        ],
      },
      'archived images cannot be transitioned again; expire them instead',
    ],
    [
      'transition without target',
      { rules: [{ ...keepAny(1, 1), action: { type: 'transition' } }] },
      'a "transition" action needs "targetStorageClass": "archive"',
    ],
    [
      'target with expire',
      { rules: [{ ...keepAny(1, 1), action: { type: 'expire', targetStorageClass: 'archive' } }] },
      '"targetStorageClass" goes only with "type": "transition"',
    ],
    [
      'typo in action',
      { rules: [{ ...keepAny(1, 1), action: { type: 'expire', days: 3 } }] },
      'unknown key "days" in "action"; known keys are "type", "targetStorageClass"',
    ],
    [
      'too long',
      { rules: [{ ...keepAny(1, 1), description: 'x'.repeat(31000) }] },
      'lifecycle-policy: the policy is 31155 characters; ECR takes at most 30720, so merge or drop rules',
    ],
  ])('%s', (_name, policy, message) => {
    let thrown: unknown;
    try {
      validateLifecyclePolicy(policy);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ActionError);
    expect((thrown as Error).name).toBe('PolicyError');
    expect((thrown as Error).message).toContain(message);
  });
});

describe('policiesEqual for lifecycle policies', () => {
  const policy = JSON.stringify({ rules: [untaggedDays(1, 7), keepAny(2, 30)] });

  test.each<[string, string, boolean]>([
    ['identical', policy, true],
    ['pretty-printed', JSON.stringify(JSON.parse(policy), null, 4), true],
    [
      'keys reordered',
      '{"rules":[{"action":{"type":"expire"},"selection":{"countNumber":7,"countUnit":"days","countType":"sinceImagePushed","tagStatus":"untagged"},"rulePriority":1},{"selection":{"countNumber":30,"countType":"imageCountMoreThan","tagStatus":"any"},"action":{"type":"expire"},"rulePriority":2}]}',
      true,
    ],
    ['another count', policy.replace('30', '31'), false],
    ['rules swapped', JSON.stringify({ rules: [keepAny(2, 30), untaggedDays(1, 7)] }), false],
    ['not JSON', '{rules', false],
  ])('%s', (_name, other, equal) => {
    expect(policiesEqual(policy, other)).toBe(equal);
    expect(policiesEqual(other, policy)).toBe(equal);
  });
});
