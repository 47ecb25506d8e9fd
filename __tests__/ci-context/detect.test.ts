import { describe, expect, test } from '@jest/globals';
import {
  CI_SYSTEMS,
  detectCiContext,
  detectCiSystem,
  parseCiSystem,
  type CiSystem,
  type Env,
} from '../../src/ci-context/index.js';
import { InputError } from '../../src/shared/errors.js';
import { fakeGit, readFixturePayload } from '../fixtures/ci-cases.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('detectCiSystem: the first of GitHub Actions, GitLab, Travis, Bitbucket, CircleCI, CodeShip', () => {
  test.each<[string, Env, CiSystem]>([
    ['no CI variables: the checkout', {}, 'git'],
    ['CI=true alone (an unknown CI): the checkout', { CI: 'true' }, 'git'],
    ['GitHub Actions', { GITHUB_ACTIONS: 'true' }, 'github'],
    ['GitHub Actions over GitLab', { GITHUB_ACTIONS: 'true', GITLAB_CI: 'true' }, 'github'],
    ['GitLab over Travis', { GITLAB_CI: 'true', TRAVIS: 'true' }, 'gitlab'],
    ['Travis over Bitbucket', { TRAVIS: 'true', BITBUCKET_BUILD_NUMBER: '3' }, 'travis'],
    ['Bitbucket over CircleCI', { BITBUCKET_BUILD_NUMBER: '3', CIRCLECI: 'true' }, 'bitbucket'],
    ['CircleCI over CodeShip', { CIRCLECI: 'true', CI_NAME: 'codeship' }, 'circleci'],
    ['CodeShip', { CI_NAME: 'codeship' }, 'codeship'],
    ['flags in another case', { TRAVIS: 'True' }, 'travis'],
    ['GITHUB_ACTIONS=false', { GITHUB_ACTIONS: 'false' }, 'git'],
    ['an empty BITBUCKET_BUILD_NUMBER', { BITBUCKET_BUILD_NUMBER: '' }, 'git'],
    ['CI_NAME of another CI (CI_* names are shared): not CodeShip', { CI_NAME: 'semaphore' }, 'git'],
  ])('%s', (_name, env, expected) => {
    expect(detectCiSystem(env)).toBe(expected);
  });
});

describe('parseCiSystem: a user naming the system', () => {
  test.each(CI_SYSTEMS.map((system) => [system]))('%s', (system) => {
    expect(parseCiSystem(system)).toBe(system);
  });

  test('any case, spaces around', () => {
    expect(parseCiSystem(' GitLab ')).toBe('gitlab');
  });

  test('an unknown name: the names accepted', () => {
    expect(() => parseCiSystem('jenkins')).toThrow(
      new InputError(
        'ci-system',
        'jenkins',
        'expected one of github, gitlab, travis, bitbucket, circleci, codeship, git',
      ),
    );
  });
});

describe('detectCiContext with a system named', () => {
  test('the named system is read even when another one is detected', () => {
    const env = { GITHUB_ACTIONS: 'true', TRAVIS: 'true', TRAVIS_COMMIT: SHA, TRAVIS_BRANCH: 'main' };
    expect(detectCiContext(env, { system: 'travis', readFile: readFixturePayload, git: fakeGit() })).toEqual({
      system: 'travis',
      context: { eventName: 'push', sha: SHA, ref: 'refs/heads/main', branch: 'main' },
    });
  });

  test('git: the checkout, whatever the variables say', () => {
    const git = fakeGit({ 'rev-parse HEAD': SHA, 'symbolic-ref --short -q HEAD': 'main' });
    expect(
      detectCiContext({ GITLAB_CI: 'true' }, { system: 'git', readFile: readFixturePayload, git }),
    ).toEqual({
      system: 'git',
      context: { eventName: 'push', sha: SHA, ref: 'refs/heads/main', branch: 'main' },
    });
  });
});

describe('git is asked only for what the variables lack', () => {
  test('GitLab names everything: no git command', () => {
    const git = fakeGit();
    detectCiContext(
      {
        GITLAB_CI: 'true',
        CI_COMMIT_SHA: SHA,
        CI_COMMIT_BRANCH: 'main',
        CI_DEFAULT_BRANCH: 'main',
        CI_PROJECT_PATH: 'acme/widget',
        CI_PROJECT_URL: 'https://gitlab.com/acme/widget',
        CI_COMMIT_TIMESTAMP: '2024-05-02T11:15:30+02:00',
      },
      { readFile: readFixturePayload, git },
    );
    expect(git.calls).toEqual([]);
  });

  test('no checkout: the variables alone, no error', () => {
    const git = fakeGit();
    const { context } = detectCiContext(
      { CIRCLECI: 'true', CIRCLE_SHA1: SHA, CIRCLE_BRANCH: 'main' },
      { readFile: readFixturePayload, git },
    );
    expect(context).toEqual({ eventName: 'push', sha: SHA, ref: 'refs/heads/main', branch: 'main' });
    expect(git.calls.length).toBeGreaterThan(0);
  });
});
