/**
 * CodeShip. It names no tag and no pull request target: a pull request is known by CI_PR_NUMBER or the
 * number CI_PULL_REQUEST's web address ends in ("false", "0" or empty when there is none). A tag push comes
 * with the tag's name where the branch would be, so the checkout tells the two apart.
 */
import type { GitContext } from '../image/git-context.js';
import { contextFor, pullRef, type BuildKind } from './build-kind.js';
import { headCommit, tagsAtHead } from './git-facts.js';
import type { Env, GitReader } from './types.js';
import { commitId, nonEmpty, numberAtEndOf, positiveNumber, wholeNumber } from './values.js';

export function readCodeship(env: Env, git: GitReader): GitContext {
  const sha = commitId(env.CI_COMMIT_ID, 'CI_COMMIT_ID', 'CodeShip');
  return contextFor(buildKind(env, sha, git), {
    sha,
    sourceRepository: nonEmpty(env.CI_REPO_NAME),
    runNumber: wholeNumber(env.CI_BUILD_NUMBER),
  });
}

function buildKind(env: Env, sha: string, git: GitReader): BuildKind {
  const branch = nonEmpty(env.CI_BRANCH);
  const pullRequest = positiveNumber(env.CI_PR_NUMBER) ?? numberAtEndOf(env.CI_PULL_REQUEST);
  if (pullRequest !== undefined) {
    return { kind: 'pull-request', number: pullRequest, ref: pullRef(pullRequest), branch };
  }
  if (branch && isTagOfCommit(branch, sha, git)) return { kind: 'tag', tag: branch };
  return branch ? { kind: 'branch', branch } : { kind: 'detached' };
}

/** Only a tag on the very commit built counts: a branch may share its name with some older tag. */
function isTagOfCommit(name: string, sha: string, git: GitReader): boolean {
  return headCommit(git) === sha && tagsAtHead(git).includes(name);
}
