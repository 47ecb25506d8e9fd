/**
 * Bitbucket Pipelines. BITBUCKET_BRANCH is the source branch, also in a pull request pipeline, where
 * BITBUCKET_PR_DESTINATION_BRANCH is its target.
 */
import type { GitContext } from '../image/git-context.js';
import { ActionError } from '../shared/errors.js';
import { contextFor, pullRef, type BuildKind } from './build-kind.js';
import { parseRemoteUrl } from './remote-url.js';
import type { Env } from './types.js';
import { commitId, nonEmpty, positiveNumber, wholeNumber } from './values.js';

export function readBitbucket(env: Env): GitContext {
  const workspace = nonEmpty(env.BITBUCKET_WORKSPACE);
  const slug = nonEmpty(env.BITBUCKET_REPO_SLUG);
  const workspaceAndSlug = workspace && slug ? `${workspace}/${slug}` : undefined;
  const origin = parseRemoteUrl(env.BITBUCKET_GIT_HTTP_ORIGIN);
  const repository = nonEmpty(env.BITBUCKET_REPO_FULL_NAME) ?? workspaceAndSlug ?? origin?.repository;
  return contextFor(buildKind(env), {
    sha: commitId(env.BITBUCKET_COMMIT, 'BITBUCKET_COMMIT', 'Bitbucket Pipelines'),
    sourceRepository: repository,
    repositoryUrl: repositoryUrl(origin?.webUrl, repository),
    runNumber: wholeNumber(env.BITBUCKET_BUILD_NUMBER),
  });
}

function buildKind(env: Env): BuildKind {
  const branch = nonEmpty(env.BITBUCKET_BRANCH);
  const tag = nonEmpty(env.BITBUCKET_TAG);
  const prId = nonEmpty(env.BITBUCKET_PR_ID);
  if (prId !== undefined) {
    const number = positiveNumber(prId);
    if (number === undefined) {
      throw new ActionError(
        `BITBUCKET_PR_ID '${prId}' is not a pull request number; unset it, or set it to the pull request's id.`,
      );
    }
    return {
      kind: 'pull-request',
      number,
      ref: pullRef(number),
      branch,
      baseBranch: nonEmpty(env.BITBUCKET_PR_DESTINATION_BRANCH),
    };
  }
  if (tag) return { kind: 'tag', tag };
  return branch ? { kind: 'branch', branch } : { kind: 'detached' };
}

/**
 * Pipelines runs on Bitbucket Cloud only, which serves its pages over https although
 * BITBUCKET_GIT_HTTP_ORIGIN says http.
 */
function repositoryUrl(originUrl: string | undefined, repository: string | undefined): string | undefined {
  if (originUrl) return originUrl.replace(/^http:\/\//, 'https://');
  return repository ? `https://bitbucket.org/${repository}` : undefined;
}
