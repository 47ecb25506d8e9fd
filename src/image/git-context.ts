/**
 * The git and CI facts an image's tags and labels are made from. A type only: the readers live in
 * ci-context/ (GitHub Actions and the other CI systems), the pure tag and label code below them reads this.
 */
/**
 * What is being built, in CI-neutral terms: the CLI fills the same object from Travis, GitLab or
 * Jenkins variables, so nothing here is GitHub-only except the event names it borrows.
 */
export interface GitContext {
  /** What started the build in GitHub's words (push, pull_request, schedule, ...); '' when unknown. */
  eventName: string;
  /** The commit the image is built from (full, lower case). For a pull request: its head commit. */
  sha: string;
  /** The full git ref of the run (refs/heads/main, refs/tags/v1.2.3, refs/pull/7/merge); '' when detached. */
  ref: string;
  /** The branch built: the head branch for a pull request; undefined for a tag or a detached HEAD. */
  branch?: string;
  /** The git tag built (tag push, release), without refs/tags/. */
  tag?: string;
  /** Set for pull request builds only: it is also what marks a build as one. */
  prNumber?: number;
  /** The branch a pull request or merge queue group targets. */
  baseBranch?: string;
  defaultBranch?: string;
  /** The source repository on the git host, owner/name (not the ECR repository). */
  sourceRepository?: string;
  /** The repository's web page, e.g. https://github.com/owner/name. */
  repositoryUrl?: string;
  /** When the commit was made, ISO 8601 in UTC; unknown for some events (pull requests, dispatch). */
  commitTime?: string;
  runNumber?: number;
  description?: string;
  /** SPDX license identifier, e.g. MIT. */
  license?: string;
}
