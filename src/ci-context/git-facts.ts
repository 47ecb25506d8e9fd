/** The facts a checkout itself knows, through the injected GitReader: one git command each. */
import type { GitReader } from './types.js';
import { parseRemoteUrl, type RemoteRepository } from './remote-url.js';
import { isoTime, nonEmpty } from './values.js';

export function headCommit(git: GitReader): string | undefined {
  return nonEmpty(git.run(['rev-parse', 'HEAD']))?.toLowerCase();
}

/** The branch checked out; undefined on a detached HEAD. */
export function currentBranch(git: GitReader): string | undefined {
  return nonEmpty(git.run(['symbolic-ref', '--short', '-q', 'HEAD']));
}

/** A tag pointing exactly at HEAD, if any. */
export function tagAtHead(git: GitReader): string | undefined {
  return nonEmpty(git.run(['describe', '--tags', '--exact-match', 'HEAD']));
}

/** The committer date of HEAD, in UTC: the same instant on every machine that has the commit. */
export function headCommitTime(git: GitReader): string | undefined {
  return isoTime(git.run(['log', '-1', '--format=%cI', 'HEAD']));
}

export function originRepository(git: GitReader): RemoteRepository | undefined {
  return parseRemoteUrl(git.run(['config', '--get', 'remote.origin.url']));
}

/** The remote's default branch, as `git clone` recorded it in origin/HEAD; absent in many CI clones. */
export function originDefaultBranch(git: GitReader): string | undefined {
  const ref = nonEmpty(git.run(['symbolic-ref', '--short', '-q', 'refs/remotes/origin/HEAD']));
  return ref?.startsWith('origin/') ? nonEmpty(ref.slice('origin/'.length)) : undefined;
}

/** Every tag on HEAD (a release commit can carry v1.2.3 and v1.2 both). */
export function tagsAtHead(git: GitReader): string[] {
  return (git.run(['tag', '--points-at', 'HEAD']) ?? '')
    .split('\n')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}
