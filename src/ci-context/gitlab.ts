/**
 * GitLab CI/CD. A merge request pipeline has no CI_COMMIT_BRANCH: its branches are the merge request's
 * source and target. In a merged results pipeline CI_COMMIT_SHA is GitLab's merge commit and the commit
 * pushed is CI_MERGE_REQUEST_SOURCE_BRANCH_SHA (empty in other merge request pipelines).
 */
import type { GitContext } from '../image/git-context.js';
import { ActionError } from '../shared/errors.js';
import { contextFor, type BuildKind } from './build-kind.js';
import type { Env } from './types.js';
import { commitId, isoTime, nonEmpty, positiveNumber, wholeNumber } from './values.js';

const WHERE = 'GitLab CI/CD';

export function readGitLab(env: Env): GitContext {
  const mergeRequest = mergeRequestIid(env);
  const sourceSha = mergeRequest === undefined ? undefined : nonEmpty(env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA);
  const commitSha = commitId(env.CI_COMMIT_SHA, 'CI_COMMIT_SHA', WHERE);
  const sha = sourceSha ? commitId(sourceSha, 'CI_MERGE_REQUEST_SOURCE_BRANCH_SHA', WHERE) : commitSha;
  return contextFor(
    buildKind(env, mergeRequest),
    {
      sha,
      defaultBranch: nonEmpty(env.CI_DEFAULT_BRANCH),
      sourceRepository: nonEmpty(env.CI_PROJECT_PATH),
      repositoryUrl: nonEmpty(env.CI_PROJECT_URL),
      // The timestamp is CI_COMMIT_SHA's: of no use when that is the merge commit rather than ours.
      commitTime: sha === commitSha ? isoTime(env.CI_COMMIT_TIMESTAMP) : undefined,
      runNumber: wholeNumber(env.CI_PIPELINE_IID),
      description: nonEmpty(env.CI_PROJECT_DESCRIPTION),
    },
    env.CI_PIPELINE_SOURCE?.trim() === 'schedule',
  );
}

function buildKind(env: Env, mergeRequest: number | undefined): BuildKind {
  if (mergeRequest !== undefined) {
    return {
      kind: 'pull-request',
      number: mergeRequest,
      ref: `refs/merge-requests/${mergeRequest}/head`,
      branch: nonEmpty(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME),
      baseBranch: nonEmpty(env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME),
    };
  }
  const tag = nonEmpty(env.CI_COMMIT_TAG);
  if (tag) return { kind: 'tag', tag };
  // CI_COMMIT_REF_NAME stands in on GitLab releases older than CI_COMMIT_BRANCH (12.6).
  const branch = nonEmpty(env.CI_COMMIT_BRANCH) ?? nonEmpty(env.CI_COMMIT_REF_NAME);
  return branch ? { kind: 'branch', branch } : { kind: 'detached' };
}

/**
 * A merge request pipeline without its IID would be read as a push of a branch and could overwrite that
 * branch's image, so it fails instead.
 */
function mergeRequestIid(env: Env): number | undefined {
  const value = nonEmpty(env.CI_MERGE_REQUEST_IID);
  const iid = positiveNumber(value);
  if (iid !== undefined) return iid;
  if (value !== undefined || env.CI_PIPELINE_SOURCE?.trim() === 'merge_request_event') {
    throw new ActionError(
      `CI_MERGE_REQUEST_IID '${value ?? ''}' is not a merge request number in a merge request pipeline; run the job in the merge request pipeline GitLab creates, or set CI_MERGE_REQUEST_IID.`,
    );
  }
  return undefined;
}
