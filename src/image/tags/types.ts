/** What the tag strategies produce and the repository planner consumes. */

export type TagKind = 'sha' | 'branch' | 'tag' | 'pr' | 'semver' | 'upstream' | 'raw' | 'latest';

export interface ResolvedTag {
  /** A valid image tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
  name: string;
  kind: TagKind;
  /**
   * Meant to move to newer images (latest, branch names, floating semver/upstream tags). Such a tag cannot be
   * re-pointed on an immutable repository, so the planner drops it there.
   */
  moving: boolean;
  /** The full semver version (no leading v) this tag stands for: floating and latest tags only move forward. */
  version?: string;
  /** Which part of the version a floating tag follows. */
  floating?: 'major' | 'minor';
  /** The rule that made the tag, as the user wrote it, for messages. */
  rule: string;
}
