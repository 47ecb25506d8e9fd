/**
 * Fills what a CI's variables leave out (Travis and CodeShip name no repository page, most systems no commit
 * time or default branch) from the checkout, when there is one. Only gaps are filled, and the commit time
 * only when HEAD is the commit built: a pull request checkout is often the CI's merge commit instead.
 */
import type { GitContext } from '../image/git-context.js';
import { headCommit, headCommitTime, originDefaultBranch, originRepository } from './git-facts.js';
import type { GitReader } from './types.js';
import { compact } from './values.js';

export function fillFromGit(context: GitContext, git: GitReader): GitContext {
  const filled = { ...context };
  if (filled.sourceRepository === undefined || filled.repositoryUrl === undefined) {
    const origin = originRepository(git);
    // A clone of a mirror or fork would name another repository's page: only the one the CI names is used.
    const same =
      origin &&
      origin.repository.toLowerCase() === (filled.sourceRepository ?? origin.repository).toLowerCase();
    if (same) {
      filled.sourceRepository ??= origin.repository;
      filled.repositoryUrl ??= origin.webUrl;
    }
  }
  if (filled.commitTime === undefined && headCommit(git) === context.sha) {
    filled.commitTime = headCommitTime(git);
  }
  filled.defaultBranch ??= originDefaultBranch(git);
  return compact(filled);
}
