import { describe, expect, test } from '@jest/globals';
import type { ResolvedTag } from '../../../src/image/tags/types.js';
import { branchPush, resolveFor, tagNamesFor, tagPush, type Run } from '../../fixtures/tags.js';

/** The usual semver set: exact, MAJOR.MINOR and MAJOR. */
const FLOATING = [
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=semver,pattern={{major}}',
].join('\n');

describe('type=semver from the git tag', () => {
  test.each<[string, string, Run, string[]]>([
    ['exact, MAJOR.MINOR, MAJOR and latest', FLOATING, tagPush('v1.2.3'), ['1.2.3', '1.2', '1', 'latest']],
    ['pattern defaults to {{version}}', 'type=semver', tagPush('v1.2.3'), ['1.2.3', 'latest']],
    [
      '{{major}}.{{minor}}.{{patch}}',
      'type=semver,pattern={{major}}.{{minor}}.{{patch}}',
      tagPush('v1.2.3'),
      ['1.2.3', 'latest'],
    ],
    ['{{raw}} keeps the v', 'type=semver,pattern={{raw}}', tagPush('v1.2.3'), ['v1.2.3', 'latest']],
    ['a v in the pattern', 'type=semver,pattern=v{{major}}.{{minor}}', tagPush('v1.2.3'), ['v1.2', 'latest']],
    ['no leading v in the tag', FLOATING, tagPush('4.5.6'), ['4.5.6', '4.5', '4', 'latest']],
    ['an upper-case V', FLOATING, tagPush('V1.2.3'), ['1.2.3', '1.2', '1', 'latest']],
    ['a pre-release gets its exact version only', FLOATING, tagPush('v1.3.0-rc.1'), ['1.3.0-rc.1']],
    [
      'a pre-release with {{raw}}',
      'type=semver,pattern={{raw}}',
      tagPush('v2.0.0-beta.2'),
      ['v2.0.0-beta.2'],
    ],
    [
      'a pre-release with only a floating pattern still gets its exact version',
      'type=semver,pattern={{major}}',
      tagPush('v2.0.0-alpha'),
      ['2.0.0-alpha'],
    ],
    ['0.x: no bare 0, but 0.MINOR', FLOATING, tagPush('v0.4.2'), ['0.4.2', '0.4', 'latest']],
    ['0.0.x', FLOATING, tagPush('v0.0.7'), ['0.0.7', '0.0', 'latest']],
    ['0.x pre-release', FLOATING, tagPush('v0.5.0-rc.1'), ['0.5.0-rc.1']],
    [
      'build metadata: + becomes _ and it is still a stable release',
      FLOATING,
      tagPush('v1.2.3+build.5'),
      ['1.2.3_build.5', '1.2', '1', 'latest'],
    ],
    [
      'build metadata with {{raw}}',
      'type=semver,pattern={{raw}}',
      tagPush('v1.2.3+build.5'),
      ['v1.2.3_build.5', 'latest'],
    ],
    [
      'pre-release with build metadata',
      FLOATING,
      tagPush('v1.2.3-rc.1+exp.sha.5114f85'),
      ['1.2.3-rc.1_exp.sha.5114f85'],
    ],
    [
      'prefix and suffix',
      'type=semver,pattern={{major}}.{{minor}},prefix=v,suffix=-alpine',
      tagPush('v1.2.3'),
      ['v1.2-alpine', 'latest'],
    ],
    ['not a version: no semver tags, no latest', FLOATING, tagPush('nightly'), []],
    ['MAJOR.MINOR only is not a version', FLOATING, tagPush('v1.2'), []],
    ['a leading zero is not semver', FLOATING, tagPush('v01.2.3'), []],
    ['no git tag (branch push): nothing', FLOATING, branchPush('main'), []],
    ['a release event', FLOATING, { fixture: 'release' }, ['2.0.0', '2.0', '2', 'latest']],
    ['enable=false', 'type=semver,enable=false\ntype=tag', tagPush('v1.2.3'), ['v1.2.3', 'latest']],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});

describe('type=semver with match= and value=', () => {
  test.each<[string, string, Run, string[]]>([
    [
      'a release git tag with a product prefix',
      FLOATING.replaceAll('\n', ',match=ecr-release-(.*)\n') + ',match=ecr-release-(.*)',
      tagPush('ecr-release-0.1.0'),
      ['0.1.0', '0.1', 'latest'],
    ],
    [
      'a regex without a group uses the whole match',
      'type=semver,match=\\d+\\.\\d+\\.\\d+',
      tagPush('release-2.3.4'),
      ['2.3.4', 'latest'],
    ],
    ['a tag with slashes', 'type=semver,match=^release/(.+)$', tagPush('release/1.4.0'), ['1.4.0', 'latest']],
    [
      'a tag the regex does not match: nothing',
      'type=semver,match=^ecr-release-(.*)$',
      tagPush('v1.2.3'),
      [],
    ],
    [
      'a tag the regex does not match is no release: no latest from type=tag either',
      'type=tag\ntype=semver,match=^ecr-release-(.*)$',
      tagPush('v1.2.3'),
      ['v1.2.3'],
    ],
    [
      'value= on the default branch: latest',
      'type=semver,value=3.4.5',
      branchPush('main'),
      ['3.4.5', 'latest'],
    ],
    ['value= on another branch: no latest', 'type=semver,value=3.4.5', branchPush('develop'), ['3.4.5']],
    [
      'value= on a pull request: no latest',
      'type=semver,value=3.4.5',
      { fixture: 'pull_request' },
      ['3.4.5'],
    ],
    ['value= wins over the git tag', 'type=semver,value=v9.0.0', tagPush('v1.2.3'), ['9.0.0', 'latest']],
    [
      'value= with match=',
      'type=semver,value=app-v2.0.1,match=app-v(.*)',
      branchPush('main'),
      ['2.0.1', 'latest'],
    ],
    [
      'an empty value= falls back to the git tag',
      'type=semver,value=',
      tagPush('v1.2.3'),
      ['1.2.3', 'latest'],
    ],
    ['a value= that is no version: nothing', 'type=semver,value=unknown', branchPush('main'), []],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});

describe('what semver and upstream tags say about themselves', () => {
  test('semver: version on every tag, floating on the moving ones', () => {
    expect(resolveFor(FLOATING, tagPush('v1.2.3')).tags).toEqual([
      {
        name: '1.2.3',
        kind: 'semver',
        moving: false,
        version: '1.2.3',
        rule: 'type=semver,pattern={{version}}',
      },
      {
        name: '1.2',
        kind: 'semver',
        moving: true,
        version: '1.2.3',
        floating: 'minor',
        rule: 'type=semver,pattern={{major}}.{{minor}}',
      },
      {
        name: '1',
        kind: 'semver',
        moving: true,
        version: '1.2.3',
        floating: 'major',
        rule: 'type=semver,pattern={{major}}',
      },
      { name: 'latest', kind: 'latest', moving: true, version: '1.2.3', rule: 'latest: auto' },
    ] satisfies ResolvedTag[]);
  });

  test('upstream: the compared version is the upstream one as semver', () => {
    expect(
      resolveFor('type=upstream,version=16.2,revision=r1,floating=true', branchPush('main')).tags,
    ).toEqual([
      {
        name: '16.2-r1',
        kind: 'upstream',
        moving: false,
        version: '16.2.0',
        rule: 'type=upstream,version=16.2,revision=r1,floating=true',
      },
      {
        name: '16-r1',
        kind: 'upstream',
        moving: true,
        version: '16.2.0',
        floating: 'major',
        rule: 'type=upstream,version=16.2,revision=r1,floating=true',
      },
      { name: 'latest', kind: 'latest', moving: true, version: '16.2.0', rule: 'latest: auto' },
    ] satisfies ResolvedTag[]);
  });

  test('build metadata is kept in the version', () => {
    expect(resolveFor('type=semver', tagPush('v1.2.3+build.5')).tags[0]).toMatchObject({
      name: '1.2.3_build.5',
      version: '1.2.3+build.5',
    });
  });
});
