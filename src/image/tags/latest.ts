/**
 * Whether this build also gets `latest`: one pure decision, so the rule "latest never moves backwards"
 * lives in one place.
 */
import semver from 'semver';
import type { GitContext } from '../git-context.js';
import { InputError } from '../../shared/errors.js';
import { parseList } from '../../shared/lists.js';

export type LatestSetting =
  /** Only a stable release: a semver/upstream version or a semver git tag, from a tag or the default branch. */
  | { kind: 'auto' }
  | { kind: 'always' }
  | { kind: 'never' }
  /** The Travis convention: every build of these branches (never a pull request) is `latest`. */
  | { kind: 'branches'; branches: string[] };

const LATEST_ACCEPTED =
  "expected 'auto' (stable releases only), 'true', 'false', or branch names such as main,master";
/** What git refuses in a branch name (see git check-ref-format), plus white space. */
const NOT_A_BRANCH = /[\s~^:?*[\\]|\.\.|@\{|^[-/.]|[/.]$|\.lock$|\/\//;

export function parseLatest(text: string): LatestSetting {
  const items = parseList(text);
  if (items.length === 0) return { kind: 'auto' };
  const single = items.length === 1 ? items[0]?.toLowerCase() : undefined;
  if (single === 'auto') return { kind: 'auto' };
  if (single === 'true') return { kind: 'always' };
  if (single === 'false') return { kind: 'never' };
  for (const item of items) {
    if (['auto', 'true', 'false'].includes(item.toLowerCase()) || NOT_A_BRANCH.test(item)) {
      throw new InputError('latest', text.trim(), LATEST_ACCEPTED);
    }
  }
  return { kind: 'branches', branches: [...new Set(items)] };
}

export function describeLatest(setting: LatestSetting): string {
  return setting.kind === 'branches' ? setting.branches.join(',') : LATEST_WORDS[setting.kind];
}

const LATEST_WORDS = { auto: 'auto', always: 'true', never: 'false' } as const;

export interface LatestDecision {
  latest: boolean;
  /** Why, in words for the log: a skipped `latest` is otherwise a mystery. */
  reason: string;
}

/**
 * Decides `latest` for a build of `version` (the release this build is, as semver; undefined when it is
 * none). `highestExisting` is the highest stable version the repository already has under `latest` or a
 * version tag: a build older than it never takes `latest`, whatever the setting, so rebuilding an old
 * release cannot roll users back. An equal version may take it again (a rebuild of the same release).
 */
export function decideLatest(
  setting: LatestSetting,
  context: GitContext,
  version: string | undefined,
  highestExisting?: string,
): LatestDecision {
  const wanted = wantsLatest(setting, context, version);
  if (!wanted.latest) return wanted;
  const ours = version === undefined ? null : semver.parse(version);
  const highest = highestExisting === undefined ? null : semver.parse(highestExisting);
  if (ours && highest && semver.lt(ours, highest)) {
    return {
      latest: false,
      reason: `no latest: ${ours.version} is older than ${highest.version}, which the repository already has`,
    };
  }
  return wanted;
}

function wantsLatest(
  setting: LatestSetting,
  context: GitContext,
  version: string | undefined,
): LatestDecision {
  switch (setting.kind) {
    case 'never':
      return { latest: false, reason: "no latest: 'latest' is false" };
    case 'always':
      return { latest: true, reason: "latest: 'latest' is true" };
    case 'branches':
      if (context.prNumber !== undefined) {
        return { latest: false, reason: 'no latest: pull request builds never get it' };
      }
      return context.branch !== undefined && setting.branches.includes(context.branch)
        ? {
            latest: true,
            reason: `latest: branch ${context.branch} is one of ${setting.branches.join(', ')}`,
          }
        : { latest: false, reason: `no latest: not a build of ${setting.branches.join(', ')}` };
    case 'auto':
      return autoLatest(context, version);
  }
}

function autoLatest(context: GitContext, version: string | undefined): LatestDecision {
  const parsed = version === undefined ? null : semver.parse(version);
  if (!parsed) return { latest: false, reason: 'no latest: this build is not a semver release' };
  if (parsed.prerelease.length > 0) {
    return { latest: false, reason: `no latest: ${parsed.version} is a pre-release` };
  }
  if (context.prNumber !== undefined) {
    return { latest: false, reason: 'no latest: pull request builds never get it' };
  }
  // A version given by value= is resolved on every branch; only a tag or the default branch is a release.
  const fromDefaultBranch = context.branch !== undefined && context.branch === context.defaultBranch;
  if (context.tag === undefined && !fromDefaultBranch) {
    return {
      latest: false,
      reason: `no latest: ${parsed.version} was not built from a git tag or the default branch`,
    };
  }
  return { latest: true, reason: `latest: ${parsed.version} is a stable release` };
}
