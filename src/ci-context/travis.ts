/**
 * Travis CI. For a pull request TRAVIS_BRANCH is the branch it targets and TRAVIS_COMMIT is Travis's merge
 * of the two; the head branch and commit have their own variables. For a tag build TRAVIS_BRANCH holds the
 * tag name, so it is not a branch then.
 */
import type { GitContext } from '../image/git-context.js';
import { ActionError } from '../shared/errors.js';
import { contextFor, pullRef, type BuildKind } from './build-kind.js';
import type { Env } from './types.js';
import { commitId, nonEmpty, positiveNumber, wholeNumber } from './values.js';

const WHERE = 'Travis CI';

export function readTravis(env: Env): GitContext {
  const pullRequest = pullRequestNumber(env);
  const headSha = pullRequest === undefined ? undefined : nonEmpty(env.TRAVIS_PULL_REQUEST_SHA);
  const sha = headSha
    ? commitId(headSha, 'TRAVIS_PULL_REQUEST_SHA', WHERE)
    : commitId(env.TRAVIS_COMMIT, 'TRAVIS_COMMIT', WHERE);
  return contextFor(
    buildKind(env, pullRequest),
    {
      sha,
      sourceRepository: nonEmpty(env.TRAVIS_REPO_SLUG),
      runNumber: wholeNumber(env.TRAVIS_BUILD_NUMBER),
    },
    env.TRAVIS_EVENT_TYPE?.trim() === 'cron',
  );
}

function buildKind(env: Env, pullRequest: number | undefined): BuildKind {
  const tag = nonEmpty(env.TRAVIS_TAG);
  const branch = nonEmpty(env.TRAVIS_BRANCH);
  if (pullRequest !== undefined) {
    return {
      kind: 'pull-request',
      number: pullRequest,
      ref: pullRef(pullRequest),
      branch: nonEmpty(env.TRAVIS_PULL_REQUEST_BRANCH),
      baseBranch: branch,
    };
  }
  if (tag) return { kind: 'tag', tag };
  return branch ? { kind: 'branch', branch } : { kind: 'detached' };
}

/**
 * TRAVIS_PULL_REQUEST is "false" or the number. A pull request build without a number would otherwise be
 * read as a push of its target branch and overwrite that branch's image, so it fails instead.
 */
function pullRequestNumber(env: Env): number | undefined {
  const value = nonEmpty(env.TRAVIS_PULL_REQUEST);
  const number = positiveNumber(value);
  if (number !== undefined) return number;
  if (env.TRAVIS_EVENT_TYPE?.trim() === 'pull_request' || (value !== undefined && value !== 'false')) {
    throw new ActionError(
      `TRAVIS_PULL_REQUEST '${value ?? ''}' is not a pull request number in a pull request build; set it to the number, or to false for a branch build.`,
    );
  }
  return undefined;
}
