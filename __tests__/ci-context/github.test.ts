import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readContext, readGitHubContext, type GitContext } from '../../src/ci-context/github.js';
import { ActionError } from '../../src/shared/errors.js';
import { contextOf, readFixtureFile, runEnv, SHA, type Env, type EventFixture } from '../fixtures/runs.js';

const REPOSITORY = {
  sourceRepository: 'acme/widget',
  repositoryUrl: 'https://github.com/acme/widget',
  defaultBranch: 'main',
  description: 'Widget service: renders widgets, fast',
  license: 'Apache-2.0',
  runNumber: 42,
};

describe('readContext: one context per event', () => {
  test.each<[string, EventFixture, Env, GitContext]>([
    [
      'push to a branch: the pushed commit, its branch and its time in UTC',
      'push',
      {},
      {
        ...REPOSITORY,
        eventName: 'push',
        sha: SHA.main,
        ref: 'refs/heads/main',
        branch: 'main',
        commitTime: '2024-05-02T09:15:30.000Z',
      },
    ],
    [
      'tag push: the tag, no branch',
      'push-tag',
      {},
      {
        ...REPOSITORY,
        eventName: 'push',
        sha: SHA.release,
        ref: 'refs/tags/v1.2.3',
        tag: 'v1.2.3',
        commitTime: '2024-04-30T20:45:00.000Z',
      },
    ],
    [
      'pull_request: the head commit, not the merge commit; the head branch; the number',
      'pull_request',
      {},
      {
        ...REPOSITORY,
        eventName: 'pull_request',
        sha: SHA.prHead,
        ref: 'refs/pull/17/merge',
        branch: 'feature/login',
        baseBranch: 'main',
        prNumber: 17,
      },
    ],
    [
      "pull_request_target from a fork's main: the fork's head commit, not the base branch's",
      'pull_request_target',
      {},
      {
        ...REPOSITORY,
        eventName: 'pull_request_target',
        sha: SHA.forkHead,
        ref: 'refs/heads/main',
        branch: 'main',
        baseBranch: 'main',
        prNumber: 23,
      },
    ],
    [
      'workflow_dispatch on a branch: no commit time in the payload',
      'workflow_dispatch',
      {},
      {
        ...REPOSITORY,
        eventName: 'workflow_dispatch',
        sha: SHA.main,
        ref: 'refs/heads/release/2.x',
        branch: 'release/2.x',
      },
    ],
    [
      'workflow_dispatch on a tag',
      'workflow_dispatch',
      { GITHUB_REF: 'refs/tags/v3.1.0' },
      {
        ...REPOSITORY,
        eventName: 'workflow_dispatch',
        sha: SHA.main,
        ref: 'refs/tags/v3.1.0',
        tag: 'v3.1.0',
      },
    ],
    [
      'schedule: the default branch is the branch, even with no repository in the payload',
      'schedule',
      {},
      {
        eventName: 'schedule',
        sha: SHA.main,
        ref: 'refs/heads/main',
        branch: 'main',
        defaultBranch: 'main',
        sourceRepository: 'acme/widget',
        repositoryUrl: 'https://github.com/acme/widget',
        runNumber: 42,
      },
    ],
    [
      "release: the tag, and the release's created_at (its commit's date) as commit time",
      'release',
      {},
      {
        ...REPOSITORY,
        eventName: 'release',
        sha: SHA.release,
        ref: 'refs/tags/v2.0.0',
        tag: 'v2.0.0',
        commitTime: '2024-04-28T09:30:00.000Z',
      },
    ],
    [
      'release without GITHUB_REF: the tag comes from release.tag_name',
      'release',
      { GITHUB_REF: undefined },
      {
        ...REPOSITORY,
        eventName: 'release',
        sha: SHA.release,
        ref: 'refs/tags/v2.0.0',
        tag: 'v2.0.0',
        commitTime: '2024-04-28T09:30:00.000Z',
      },
    ],
    [
      "merge_group: the queue's head commit and gh-readonly-queue branch, the target as base",
      'merge_group',
      {},
      {
        ...REPOSITORY,
        eventName: 'merge_group',
        sha: SHA.queue,
        ref: `refs/heads/gh-readonly-queue/main/pr-17-${SHA.main}`,
        branch: `gh-readonly-queue/main/pr-17-${SHA.main}`,
        baseBranch: 'main',
        commitTime: '2024-05-02T10:00:00.000Z',
      },
    ],
  ])('%s', (_name, fixture, overrides, expected) => {
    expect(contextOf(fixture, overrides)).toEqual(expected);
  });
});

describe('readContext: partial environments', () => {
  test.each<[string, EventFixture, Env, Partial<GitContext>, (keyof GitContext)[]]>([
    [
      'detached HEAD: no ref, so neither branch nor tag',
      'push',
      { GITHUB_REF: '' },
      { ref: '', sha: SHA.main },
      ['branch', 'tag'],
    ],
    ['GITHUB_REF unset', 'push', { GITHUB_REF: undefined }, { ref: '' }, ['branch', 'tag']],
    [
      'no event file (local run): the environment alone',
      'push',
      { GITHUB_EVENT_PATH: '/nonexistent/event.json' },
      { branch: 'main', repositoryUrl: 'https://github.com/acme/widget' },
      ['defaultBranch', 'commitTime', 'description', 'license'],
    ],
    [
      'GITHUB_EVENT_PATH unset',
      'push',
      { GITHUB_EVENT_PATH: undefined },
      { branch: 'main' },
      ['defaultBranch', 'commitTime'],
    ],
    [
      'pull_request without payload: the number from the ref, the sha as given',
      'pull_request',
      { GITHUB_EVENT_PATH: undefined },
      { prNumber: 17, sha: SHA.prMerge, branch: 'feature/login', baseBranch: 'main' },
      ['tag'],
    ],
    [
      'pull_request head branch from the payload when GITHUB_HEAD_REF is empty',
      'pull_request',
      { GITHUB_HEAD_REF: '', GITHUB_BASE_REF: '' },
      { branch: 'feature/login', baseBranch: 'main' },
      [],
    ],
    [
      'GitHub Enterprise: the web URL from GITHUB_SERVER_URL when the payload has none',
      'schedule',
      { GITHUB_SERVER_URL: 'https://git.example.com/', GITHUB_REPOSITORY: 'team/app' },
      { repositoryUrl: 'https://git.example.com/team/app', sourceRepository: 'team/app' },
      [],
    ],
    ['a run number that is not a number is left out', 'push', { GITHUB_RUN_NUMBER: 'x1' }, {}, ['runNumber']],
    [
      'an upper-case GITHUB_SHA is lowered',
      'schedule',
      { GITHUB_SHA: SHA.main.toUpperCase() },
      { sha: SHA.main },
      [],
    ],
    [
      'a tag with slashes',
      'push-tag',
      { GITHUB_REF: 'refs/tags/release/1.4.0' },
      { tag: 'release/1.4.0' },
      ['branch'],
    ],
    [
      'no event name',
      'push',
      { GITHUB_EVENT_NAME: undefined, GITHUB_EVENT_PATH: undefined },
      { eventName: '', branch: 'main' },
      ['prNumber'],
    ],
  ])('%s', (_name, fixture, overrides, expected, absent) => {
    const context = contextOf(fixture, overrides);
    expect(context).toMatchObject(expected);
    for (const key of absent) expect(context).not.toHaveProperty(key);
  });

  test('a NOASSERTION license (GitHub could not identify it) gives no license', () => {
    const payload = JSON.stringify({
      repository: { license: { spdx_id: 'NOASSERTION' }, default_branch: 'main' },
    });
    const context = readContext(runEnv('push'), () => payload);
    expect(context).not.toHaveProperty('license');
    expect(context.defaultBranch).toBe('main');
  });
});

describe('readContext: failures a user can fix', () => {
  test.each<[string, Env, RegExp]>([
    [
      'no GITHUB_SHA',
      { GITHUB_SHA: undefined },
      /GITHUB_SHA is not set.*set GITHUB_SHA to the full commit id/,
    ],
    [
      'a short GITHUB_SHA',
      { GITHUB_SHA: 'abc1234' },
      /'abc1234' is not a full commit id.*git rev-parse HEAD/,
    ],
  ])('%s', (_name, overrides, message) => {
    expect(() => contextOf('schedule', { ...overrides, GITHUB_EVENT_PATH: undefined })).toThrow(message);
  });

  test('an event file that is not JSON', () => {
    const read = (): GitContext => readContext(runEnv('push'), () => '{not json');
    expect(read).toThrow(ActionError);
    expect(read).toThrow(/is not valid JSON; unset GITHUB_EVENT_PATH/);
  });
});

test('the payload is read from GITHUB_EVENT_PATH', () => {
  const paths: string[] = [];
  readContext(runEnv('push'), (path) => {
    paths.push(path);
    return readFixtureFile(path);
  });
  expect(paths).toEqual([runEnv('push').GITHUB_EVENT_PATH]);
});

describe('readGitHubContext: a commit time from the checkout when the payload has none', () => {
  const SHA1 = '0123456789abcdef0123456789abcdef01234567';
  const env = { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_SHA: SHA1, GITHUB_REF: 'refs/heads/main' };
  const reader = (head: string) => ({
    calls: [] as string[][],
    run(args: readonly string[]) {
      this.calls.push([...args]);
      if (args[0] === 'rev-parse') return head;
      if (args[0] === 'log') return '2024-05-01T14:00:00+02:00';
      return undefined;
    },
  });

  test('HEAD is the commit built: its committer time, in UTC', () => {
    expect(readGitHubContext(env, reader(SHA1)).commitTime).toBe('2024-05-01T12:00:00.000Z');
  });

  test('HEAD is another commit (a merge checkout): no commit time', () => {
    expect(readGitHubContext(env, reader('f'.repeat(40))).commitTime).toBeUndefined();
  });

  test('a payload commit time is used as it is, without asking git', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gh-event-'));
    const eventPath = path.join(dir, 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify({ head_commit: { id: SHA1, timestamp: '2024-05-02T10:00:00Z' } }),
    );
    const git = reader(SHA1);
    try {
      const context = readGitHubContext(
        { ...env, GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: eventPath },
        git,
      );
      expect(context.commitTime).toBe('2024-05-02T10:00:00.000Z');
      expect(git.calls).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
