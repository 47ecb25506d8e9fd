import { describe, expect, test } from '@jest/globals';
import { branchPush, tagNamesFor, tagPush, type Run } from '../../fixtures/tags.js';

describe('type=upstream: upstream version plus our revision', () => {
  const MAIN = branchPush('main');
  test.each<[string, string, Run, string[]]>([
    ['exact only by default', 'type=upstream,version=8.0.12,revision=c15', MAIN, ['8.0.12-c15', 'latest']],
    [
      'floating=true adds MAJOR.MINOR and MAJOR',
      'type=upstream,version=8.0.12,revision=c15,floating=true',
      MAIN,
      ['8.0.12-c15', '8.0-c15', '8-c15', 'latest'],
    ],
    [
      'without a revision',
      'type=upstream,version=8.0.12,floating=true',
      MAIN,
      ['8.0.12', '8.0', '8', 'latest'],
    ],
    [
      'two-part upstream version',
      'type=upstream,version=16.2,revision=r1,floating=true',
      MAIN,
      ['16.2-r1', '16-r1', 'latest'],
    ],
    [
      'one-part upstream version',
      'type=upstream,version=21,revision=r1,floating=true',
      MAIN,
      ['21-r1', 'latest'],
    ],
    [
      'four-part upstream version',
      'type=upstream,version=1.2.3.4,revision=c2,floating=true',
      MAIN,
      ['1.2.3.4-c2', '1.2-c2', '1-c2', 'latest'],
    ],
    [
      '0.x: no bare 0',
      'type=upstream,version=0.9.1,revision=c2,floating=true',
      MAIN,
      ['0.9.1-c2', '0.9-c2', 'latest'],
    ],
    [
      'an upstream pre-release: exact only, no latest',
      'type=upstream,version=8.1.0-rc1,revision=c1,floating=true',
      MAIN,
      ['8.1.0-rc1-c1'],
    ],
    [
      'a leading v is kept',
      'type=upstream,version=v2.4.57,floating=true',
      MAIN,
      ['v2.4.57', 'v2.4', 'v2', 'latest'],
    ],
    [
      'build metadata: + becomes _',
      'type=upstream,version=21.0.2+13,revision=c3',
      MAIN,
      ['21.0.2_13-c3', 'latest'],
    ],
    [
      'leading zeros are kept as written',
      'type=upstream,version=2024.01.5,floating=true',
      MAIN,
      ['2024.01.5', '2024.01', '2024', 'latest'],
    ],
    [
      'on another branch: tags but no latest',
      'type=upstream,version=8.0.12,revision=c15',
      branchPush('develop'),
      ['8.0.12-c15'],
    ],
    [
      'on a pull request: tags but no latest',
      'type=upstream,version=8.0.12,revision=c15',
      { fixture: 'pull_request' },
      ['8.0.12-c15'],
    ],
    [
      'on a tag push: latest',
      'type=upstream,version=8.0.12,revision=c15',
      tagPush('mysql-8.0.12-c15'),
      ['8.0.12-c15', 'latest'],
    ],
    [
      'with a prefix',
      'type=upstream,version=8.0.12,revision=c15,prefix=mysql-',
      MAIN,
      ['mysql-8.0.12-c15', 'latest'],
    ],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});
