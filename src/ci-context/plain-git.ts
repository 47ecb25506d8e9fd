/**
 * A plain checkout with no CI variables: a laptop, or a CI this module does not know. A branch checked out
 * is a branch build; a detached HEAD at a tag (how CI systems check tags out) is a tag build; any other
 * detached HEAD is the commit alone.
 */
import type { GitContext } from '../image/git-context.js';
import { ActionError } from '../shared/errors.js';
import { contextFor, type BuildKind } from './build-kind.js';
import {
  currentBranch,
  headCommit,
  headCommitTime,
  originDefaultBranch,
  originRepository,
  tagAtHead,
} from './git-facts.js';
import type { GitReader } from './types.js';
import { commitId } from './values.js';

export function readPlainGit(git: GitReader): GitContext {
  const head = headCommit(git);
  if (head === undefined) {
    throw new ActionError(
      "No CI system was recognised and 'git rev-parse HEAD' failed: run inside a git checkout with at least one commit (if it is one, git may refuse it as owned by another user: see git config safe.directory), or name the CI system.",
    );
  }
  const origin = originRepository(git);
  return contextFor(buildKind(git), {
    sha: commitId(head, "'git rev-parse HEAD'", 'a git checkout'),
    defaultBranch: originDefaultBranch(git),
    sourceRepository: origin?.repository,
    repositoryUrl: origin?.webUrl,
    commitTime: headCommitTime(git),
  });
}

function buildKind(git: GitReader): BuildKind {
  const branch = currentBranch(git);
  if (branch) return { kind: 'branch', branch };
  const tag = tagAtHead(git);
  return tag ? { kind: 'tag', tag } : { kind: 'detached' };
}
