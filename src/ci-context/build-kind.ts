/**
 * What a build is (a pull request, a tag, a branch or a bare commit) turned into the GitContext fields the
 * tag rules read, so every CI reader fills them the same way GitHub's reader does.
 */
import type { GitContext } from '../image/git-context.js';
import { compact } from './values.js';

export type BuildKind =
  | {
      kind: 'pull-request';
      number: number;
      /** The ref the system keeps the head under: refs/pull/<n>/head, or refs/merge-requests/<iid>/head. */
      ref: string;
      /** The head (source) branch, when the system says which. */
      branch?: string;
      /** The branch the pull request targets, when the system says which. */
      baseBranch?: string;
    }
  | { kind: 'tag'; tag: string }
  | { kind: 'branch'; branch: string }
  | { kind: 'detached' };

/** Everything but the build's kind, which decides the event name, ref, branch, tag and pull request fields. */
export type CommonFacts = Omit<
  GitContext,
  'eventName' | 'ref' | 'branch' | 'tag' | 'prNumber' | 'baseBranch'
>;

/**
 * `scheduled` marks a build started by a timer: its event is `schedule`, as on GitHub. A pull request is
 * always `pull_request`, whatever started it, because that is what keeps its tags off the branch's images.
 */
export function contextFor(build: BuildKind, facts: CommonFacts, scheduled = false): GitContext {
  const eventName = build.kind === 'pull-request' ? 'pull_request' : scheduled ? 'schedule' : 'push';
  const refFields = ((): Partial<GitContext> & { ref: string } => {
    switch (build.kind) {
      case 'pull-request':
        return { ref: build.ref, branch: build.branch, baseBranch: build.baseBranch, prNumber: build.number };
      case 'tag':
        return { ref: `refs/tags/${build.tag}`, tag: build.tag };
      case 'branch':
        return { ref: `refs/heads/${build.branch}`, branch: build.branch };
      case 'detached':
        return { ref: '' };
    }
  })();
  return compact({ eventName, ...refFields, ...facts });
}

export function pullRef(number: number): string {
  return `refs/pull/${number}/head`;
}
