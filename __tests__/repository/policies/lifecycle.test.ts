import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { policiesEqual } from '../../../src/repository/policies/canonical-json.js';
import { resolveLifecyclePolicy } from '../../../src/repository/policies/lifecycle.js';
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
