import { describe, expect, test } from '@jest/globals';
import type { GitContext } from '../../../src/image/git-context.js';
import { decideLatest, parseLatest, type LatestSetting } from '../../../src/image/tags/latest.js';
import { contextOf } from '../../fixtures/runs.js';
import { branchPush, resolveFor, tagNamesFor, tagPush, type Run } from '../../fixtures/tags.js';

describe('parseLatest', () => {
  test.each<[string, LatestSetting]>([
    ['', { kind: 'auto' }],
    ['auto', { kind: 'auto' }],
    ['AUTO', { kind: 'auto' }],
    ['true', { kind: 'always' }],
    [' True ', { kind: 'always' }],
    ['false', { kind: 'never' }],
    ['main', { kind: 'branches', branches: ['main'] }],
    ['main,master', { kind: 'branches', branches: ['main', 'master'] }],
    ['main\nrelease/v2', { kind: 'branches', branches: ['main', 'release/v2'] }],
    ['main, main', { kind: 'branches', branches: ['main'] }],
  ])('%j', (text, expected) => {
    expect(parseLatest(text)).toEqual(expected);
  });

  test.each([
    ['auto,main'],
    ['true,main'],
    ['yes please'],
    ['-main'],
    ['a..b'],
    ['main:x'],
    ['topic/'],
    ['x.lock'],
  ])('%j is refused with the accepted values', (text) => {
    expect(() => parseLatest(text)).toThrow(
      `Input 'latest': '${text}' is not valid; expected 'auto' (stable releases only), 'true', 'false', or branch names such as main,master.`,
    );
  });
});

describe('latest per setting and event', () => {
  test.each<[string, string, Run, boolean]>([
    ['auto: a stable tag', 'auto', tagPush('v1.2.3'), true],
    ['auto: a pre-release tag', 'auto', tagPush('v1.2.3-rc.1'), false],
    ['auto: a branch push', 'auto', branchPush('main'), false],
    ['auto: a pull request', 'auto', { fixture: 'pull_request' }, false],
    ['auto: a release', 'auto', { fixture: 'release' }, true],
    ['auto: a schedule', 'auto', { fixture: 'schedule' }, false],
    ['true: even a pull request', 'true', { fixture: 'pull_request' }, true],
    ['true: a feature branch', 'true', branchPush('feat/x'), true],
    ['false: not even a stable tag', 'false', tagPush('v1.2.3'), false],
    ['main: a push to main', 'main', branchPush('main'), true],
    ['main: a schedule on main', 'main', { fixture: 'schedule' }, true],
    ['main: another branch', 'main', branchPush('develop'), false],
    ['main,master: master', 'main,master', branchPush('master'), true],
    ["main: a fork's pull request from its own main", 'main', { fixture: 'pull_request_target' }, false],
    ['main: a tag push', 'main', tagPush('v1.2.3'), false],
    ['main: a merge queue build for main', 'main', { fixture: 'merge_group' }, false],
    ['main: a detached HEAD', 'main', { fixture: 'push', env: { GITHUB_REF: '' } }, false],
  ])('%s', (_name, latest, run, expected) => {
    // The default rules: sha, branch, and the git tag.
    expect(tagNamesFor('', { ...run, latest }).includes('latest')).toBe(expected);
  });
});

describe('decideLatest never moves latest backwards', () => {
  const onTag = (tag: string): GitContext => contextOf('push-tag', { GITHUB_REF: `refs/tags/${tag}` });
  const AUTO: LatestSetting = { kind: 'auto' };

  test.each<[string, LatestSetting, string, string | undefined, boolean, string]>([
    ['no highest known', AUTO, '1.2.3', undefined, true, 'latest: 1.2.3 is a stable release'],
    ['newer than the highest', AUTO, '1.3.0', '1.2.9', true, 'latest: 1.3.0 is a stable release'],
    ['equal to the highest: a rebuild', AUTO, '1.2.3', '1.2.3', true, 'latest: 1.2.3 is a stable release'],
    [
      'older than the highest',
      AUTO,
      '1.2.3',
      '2.0.0',
      false,
      'no latest: 1.2.3 is older than 2.0.0, which the repository already has',
    ],
    [
      'a patch of an old line',
      AUTO,
      '1.4.10',
      '2.1.0',
      false,
      'no latest: 1.4.10 is older than 2.1.0, which the repository already has',
    ],
    [
      "'true' still never moves back",
      { kind: 'always' },
      '1.0.0',
      '1.1.0',
      false,
      'no latest: 1.0.0 is older than 1.1.0, which the repository already has',
    ],
    ["'true' with no version to compare", { kind: 'always' }, '', '9.9.9', true, "latest: 'latest' is true"],
    [
      'a highest that is not a version is ignored',
      AUTO,
      '1.2.3',
      'not-a-version',
      true,
      'latest: 1.2.3 is a stable release',
    ],
    [
      'build metadata does not count',
      AUTO,
      '1.2.3+build.9',
      '1.2.3+build.1',
      true,
      'latest: 1.2.3 is a stable release',
    ],
    [
      'a pre-release never, whatever the highest',
      AUTO,
      '3.0.0-rc.1',
      '1.0.0',
      false,
      'no latest: 3.0.0-rc.1 is a pre-release',
    ],
  ])('%s', (_name, setting, version, highest, latest, reason) => {
    const decision = decideLatest(
      setting,
      onTag(`v${version}`),
      version === '' ? undefined : version,
      highest,
    );
    expect(decision).toEqual({ latest, reason });
  });

  test.each<[string, string, Run, string]>([
    ['no version', 'type=sha', branchPush('develop'), 'no latest: this build is not a semver release'],
    [
      'a version on a feature branch',
      'type=semver,value=1.0.0',
      branchPush('develop'),
      'no latest: 1.0.0 was not built from a git tag or the default branch',
    ],
    [
      'a version in a pull request',
      'type=semver,value=1.0.0',
      { fixture: 'pull_request' },
      'no latest: pull request builds never get it',
    ],
    [
      'latest=main in a pull request',
      'type=sha',
      { fixture: 'pull_request', latest: 'main' },
      'no latest: pull request builds never get it',
    ],
    [
      'latest=main on develop',
      'type=sha',
      { ...branchPush('develop'), latest: 'main' },
      'no latest: not a build of main',
    ],
    ['latest=false', 'type=sha', { ...tagPush('v1.0.0'), latest: 'false' }, "no latest: 'latest' is false"],
  ])('the log says why: %s', (_name, rules, run, reason) => {
    expect(resolveFor(rules, run).latest).toEqual({ latest: false, reason });
  });

  test('resolution passes the highest existing version through', () => {
    const older = resolveFor('type=semver\ntype=semver,pattern={{major}}', {
      ...tagPush('v1.9.0'),
      highestExisting: '2.0.0',
    });
    expect(older.tags.map((tag) => tag.name)).toEqual(['1.9.0', '1']);
    expect(older.latest.latest).toBe(false);
    const newer = resolveFor('type=semver', { ...tagPush('v2.0.1'), highestExisting: '2.0.0' });
    expect(newer.tags.map((tag) => tag.name)).toEqual(['2.0.1', 'latest']);
  });

  test("an explicit type=raw,value=latest is not the latest decision's to drop", () => {
    expect(tagNamesFor('type=raw,value=latest', { ...tagPush('v1.0.0'), highestExisting: '2.0.0' })).toEqual([
      'latest',
    ]);
  });
});
