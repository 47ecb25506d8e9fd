/**
 * CircleCI. It has no separate pull request builds: a push to a branch with an open pull request carries
 * CIRCLE_PULL_REQUEST (its web address), and a fork's pull request also CIRCLE_PR_NUMBER. Neither names the
 * target branch. A fork's CIRCLE_BRANCH is CircleCI's `pull/<n>`, not the fork's branch name.
 */
import type { GitContext } from '../image/git-context.js';
import { contextFor, pullRef, type BuildKind } from './build-kind.js';
import { parseRemoteUrl } from './remote-url.js';
import type { Env } from './types.js';
import { commitId, nonEmpty, numberAtEndOf, positiveNumber, wholeNumber } from './values.js';

export function readCircleCi(env: Env): GitContext {
  const owner = nonEmpty(env.CIRCLE_PROJECT_USERNAME);
  const name = nonEmpty(env.CIRCLE_PROJECT_REPONAME);
  const remote = parseRemoteUrl(env.CIRCLE_REPOSITORY_URL);
  return contextFor(buildKind(env), {
    sha: commitId(env.CIRCLE_SHA1, 'CIRCLE_SHA1', 'CircleCI'),
    sourceRepository: owner && name ? `${owner}/${name}` : remote?.repository,
    repositoryUrl: remote?.webUrl,
    runNumber: wholeNumber(env.CIRCLE_BUILD_NUM),
  });
}

function buildKind(env: Env): BuildKind {
  const tag = nonEmpty(env.CIRCLE_TAG);
  const branch = nonEmpty(env.CIRCLE_BRANCH);
  const pullRequest = positiveNumber(env.CIRCLE_PR_NUMBER) ?? numberAtEndOf(env.CIRCLE_PULL_REQUEST);
  // A tag build is a tag build even when its commit is also in an open pull request.
  if (tag) return { kind: 'tag', tag };
  if (pullRequest !== undefined) {
    return {
      kind: 'pull-request',
      number: pullRequest,
      ref: pullRef(pullRequest),
      branch: branch && !/^pull\/\d+$/.test(branch) ? branch : undefined,
    };
  }
  return branch ? { kind: 'branch', branch } : { kind: 'detached' };
}
