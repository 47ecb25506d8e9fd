import { describe, expect, test } from '@jest/globals';
import {
  countWildcards,
  matchesAnyWildcard,
  matchesWildcard,
} from '../../../src/repository/policies/wildcard.js';

describe('ECR wildcards', () => {
  test.each<[string, string, boolean]>([
    ['latest', 'latest', true],
    ['latest', 'latest-1', false],
    ['dev-*', 'dev-', true],
    ['dev-*', 'dev-feature.x', true],
    ['dev-*', 'prod-dev-1', false],
    ['*-rc*', '1.0.0-rc.1', true],
    ['v*.*', 'v1.2', true],
    ['v*.*', 'v12', false],
    ['*', 'anything', true],
    ['a.b', 'aXb', false],
    ['Latest', 'latest', false],
  ])('%s matches %s: %s', (filter, tag, expected) => {
    expect(matchesWildcard(filter, tag)).toBe(expected);
  });

  test('any of several filters', () => {
    expect(matchesAnyWildcard(['main', 'dev-*'], 'dev-1')).toBe(true);
    expect(matchesAnyWildcard(['main', 'dev-*'], 'v1')).toBe(false);
    expect(matchesAnyWildcard([], 'v1')).toBe(false);
  });

  test.each([
    ['v1', 0],
    ['*', 1],
    ['*a*b*c*', 4],
  ])('%s has %d wildcards', (filter, count) => {
    expect(countWildcards(filter)).toBe(count);
  });
});
