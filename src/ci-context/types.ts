/** The shapes shared by the CI readers: each reads only its own variables into a GitContext. */
import type { GitContext } from '../image/git-context.js';

export type Env = Record<string, string | undefined>;

/** The CI systems whose variables are read, and `git` for a plain checkout (a laptop, or an unknown CI). */
export const CI_SYSTEMS = ['github', 'gitlab', 'travis', 'bitbucket', 'circleci', 'codeship', 'git'] as const;
export type CiSystem = (typeof CI_SYSTEMS)[number];

/**
 * Runs one read-only git command in the checkout and returns its output without the final newline, or
 * undefined when git fails (no repository, detached HEAD for symbolic-ref, no tag at HEAD, ...). Injected, so
 * the readers run no process themselves and tests answer from a table.
 */
export interface GitReader {
  run(args: readonly string[]): string | undefined;
}

export interface CiContext {
  system: CiSystem;
  context: GitContext;
}
