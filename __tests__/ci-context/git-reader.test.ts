import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detectCiContext } from '../../src/ci-context/index.js';
import { createGitReader } from '../../src/ci-context/git-reader.js';
import { ActionError } from '../../src/shared/errors.js';
import { readFixturePayload } from '../fixtures/ci-cases.js';

/** Fixed dates and no user or system config, so the commits are the same on every machine. */
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Octo Cat',
  GIT_AUTHOR_EMAIL: 'octocat@example.com',
  GIT_COMMITTER_NAME: 'Octo Cat',
  GIT_COMMITTER_EMAIL: 'octocat@example.com',
  GIT_AUTHOR_DATE: '2024-05-02T11:15:30+02:00',
  GIT_COMMITTER_DATE: '2024-05-02T11:15:30+02:00',
};

let root: string;
let repo: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, env: GIT_ENV, encoding: 'utf8' }).trim();
}

function detectIn(dir: string, env: Record<string, string> = {}) {
  return detectCiContext(env, { readFile: readFixturePayload, git: createGitReader(dir) });
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'ci-context-git-'));
  repo = path.join(root, 'widget');
  execFileSync('git', ['init', '-q', '-b', 'main', repo], { env: GIT_ENV });
  writeFileSync(path.join(repo, 'README.md'), 'widget\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'First');
  git('tag', 'v1.2.3');
  git('remote', 'add', 'origin', 'https://ci:s3cr3t@github.com/acme/widget.git');
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const REPOSITORY = {
  sourceRepository: 'acme/widget',
  repositoryUrl: 'https://github.com/acme/widget',
  defaultBranch: 'main',
  commitTime: '2024-05-02T09:15:30.000Z',
};

describe('plain git through the real git', () => {
  test('a branch checked out: the branch, the remote without its password, the commit time in UTC', () => {
    git('checkout', '-q', 'main');
    expect(detectIn(repo)).toEqual({
      system: 'git',
      context: {
        ...REPOSITORY,
        eventName: 'push',
        sha: git('rev-parse', 'HEAD'),
        ref: 'refs/heads/main',
        branch: 'main',
      },
    });
  });

  test('detached at a tag: the tag', () => {
    git('checkout', '-q', '--detach', 'v1.2.3');
    expect(detectIn(repo).context).toEqual({
      ...REPOSITORY,
      eventName: 'push',
      sha: git('rev-parse', 'HEAD'),
      ref: 'refs/tags/v1.2.3',
      tag: 'v1.2.3',
    });
  });

  test('detached at an untagged commit: the commit alone', () => {
    git('checkout', '-q', 'main');
    git('commit', '-q', '--allow-empty', '-m', 'Second');
    git('checkout', '-q', '--detach', 'HEAD');
    expect(detectIn(repo).context).toEqual({
      ...REPOSITORY,
      eventName: 'push',
      sha: git('rev-parse', 'HEAD'),
      ref: '',
    });
    git('checkout', '-q', 'main');
  });

  test('Travis in the checkout: the variables, and the page and time git adds', () => {
    const sha = git('rev-parse', 'HEAD');
    const env = { TRAVIS: 'true', TRAVIS_COMMIT: sha, TRAVIS_BRANCH: 'main', TRAVIS_PULL_REQUEST: 'false' };
    expect(detectIn(repo, env)).toEqual({
      system: 'travis',
      context: { ...REPOSITORY, eventName: 'push', sha, ref: 'refs/heads/main', branch: 'main' },
    });
  });

  test('not a checkout: run inside one', () => {
    expect(() => detectIn(root)).toThrow(ActionError);
    expect(() => detectIn(root)).toThrow(/run inside a git checkout/);
  });
});

describe('createGitReader', () => {
  test('output without the final newline; undefined when git fails', () => {
    const reader = createGitReader(repo);
    expect(reader.run(['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('main');
    expect(reader.run(['rev-parse', '--verify', '-q', 'no-such-ref'])).toBeUndefined();
  });

  test('arguments reach git as they are: no shell', () => {
    const marker = path.join(root, 'pwned');
    expect(
      createGitReader(repo).run(['rev-parse', `$(touch ${marker})`, `;touch ${marker}`]),
    ).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });
});
