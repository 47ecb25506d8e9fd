import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ActionError } from '../../../src/shared/errors.js';
import { validateLifecyclePolicy } from '../../../src/repository/policies/lifecycle-validate.js';
import { fixturePath } from '../../fixtures/paths.js';

const FIXTURES = fixturePath('policies');
const readFixture = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');
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
