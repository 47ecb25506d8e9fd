/**
 * The git and CI facts the tags and labels are made from, read from the runner's environment and the
 * event payload file only: no GitHub API call, so it works with any token and on GitHub Enterprise.
 */
import { readFileSync } from 'node:fs';
import type { GitContext } from '../image/git-context.js';
import { headCommit, headCommitTime } from './git-facts.js';
import { createGitReader } from './git-reader.js';
import type { GitReader } from './types.js';
import { ActionError } from '../shared/errors.js';

export type { GitContext } from '../image/git-context.js';

type Env = Record<string, string | undefined>;

const PULL_REQUEST_REF = /^refs\/pull\/(\d+)\//;
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The context of this GitHub Actions run; the CLI reads the CI system it runs in instead (ci-context/index.ts).
 * Events whose payload has no commit time (workflow_dispatch, schedule, release) take it from the checkout
 * when HEAD is the commit built, so `created` and SOURCE_DATE_EPOCH are the same on every re-run.
 */
export function readGitHubContext(env: NodeJS.ProcessEnv = process.env, git?: GitReader): GitContext {
  const context = readContext(env, (file) => readFileSync(file, 'utf8'));
  if (context.commitTime !== undefined || context.sha === '') return context;
  const reader = git ?? createGitReader(env.GITHUB_WORKSPACE || process.cwd());
  if (headCommit(reader) !== context.sha) return context;
  const commitTime = headCommitTime(reader);
  return commitTime === undefined ? context : { ...context, commitTime };
}

/**
 * Reads the context of a GitHub Actions run. `readFile` reads the event payload; a missing payload (local
 * runs, some schedule setups) is fine, but an unreadable one is an error because a pull request build would
 * silently be tagged with GitHub's merge commit instead of the commit pushed.
 */
export function readContext(env: Env, readFile: (path: string) => string): GitContext {
  const eventName = env.GITHUB_EVENT_NAME?.trim() ?? '';
  const payload = readPayload(env.GITHUB_EVENT_PATH, readFile);
  const repository = objectAt(payload, 'repository');
  const release = objectAt(payload, 'release');
  const pullRequest = objectAt(payload, 'pull_request');
  const mergeGroup = objectAt(payload, 'merge_group');

  let ref = env.GITHUB_REF?.trim() ?? '';
  const releaseTag = stringAt(release, 'tag_name');
  if (ref === '' && releaseTag) ref = `refs/tags/${releaseTag}`;

  const isPullRequest = eventName.startsWith('pull_request') || PULL_REQUEST_REF.test(ref);
  const context: GitContext = {
    eventName,
    sha: commitId(
      // A pull request run's GITHUB_SHA is GitHub's test merge (or, for pull_request_target, the base
      // branch); the image is known by the commit the author pushed. A merge queue builds its group's head.
      stringAt(objectAt(pullRequest, 'head'), 'sha') ?? stringAt(mergeGroup, 'head_sha') ?? env.GITHUB_SHA,
    ),
    ref,
  };

  if (isPullRequest) {
    context.branch = nonEmpty(env.GITHUB_HEAD_REF) ?? stringAt(objectAt(pullRequest, 'head'), 'ref');
    context.baseBranch = nonEmpty(env.GITHUB_BASE_REF) ?? stringAt(objectAt(pullRequest, 'base'), 'ref');
    context.prNumber = numberAt(pullRequest, 'number') ?? pullRequestNumberOf(ref);
  } else {
    context.branch = refName(ref, 'refs/heads/');
    context.tag = refName(ref, 'refs/tags/');
    const mergeBase = stringAt(mergeGroup, 'base_ref');
    if (mergeBase) context.baseBranch = refName(mergeBase, 'refs/heads/') ?? mergeBase;
  }

  // A scheduled run always runs on the default branch, so even without a payload that much is known.
  context.defaultBranch =
    stringAt(repository, 'default_branch') ?? (eventName === 'schedule' ? context.branch : undefined);
  context.sourceRepository = nonEmpty(env.GITHUB_REPOSITORY) ?? stringAt(repository, 'full_name');
  context.repositoryUrl =
    stringAt(repository, 'html_url') ?? webUrl(env.GITHUB_SERVER_URL, context.sourceRepository);
  context.commitTime = isoTime(
    stringAt(objectAt(payload, 'head_commit'), 'timestamp') ??
      stringAt(objectAt(mergeGroup, 'head_commit'), 'timestamp') ??
      // GitHub documents a release's created_at as the date of its commit, not of the release itself.
      stringAt(release, 'created_at'),
  );
  context.runNumber = wholeNumber(env.GITHUB_RUN_NUMBER);
  context.description = stringAt(repository, 'description');
  context.license = spdxId(stringAt(objectAt(repository, 'license'), 'spdx_id'));
  return dropUndefined(context);
}

function readPayload(path: string | undefined, readFile: (path: string) => string): unknown {
  if (!path?.trim()) return undefined;
  let text: string;
  try {
    text = readFile(path);
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ActionError(
      `The event payload ${path} (GITHUB_EVENT_PATH) is not valid JSON; unset GITHUB_EVENT_PATH or point it at the event file.`,
      { cause: error },
    );
  }
}

function commitId(value: string | undefined): string {
  const sha = value?.trim().toLowerCase() ?? '';
  if (!COMMIT_ID.test(sha)) {
    throw new ActionError(
      sha === ''
        ? 'GITHUB_SHA is not set: the image tags need the commit being built. Run in GitHub Actions, or set GITHUB_SHA to the full commit id.'
        : `GITHUB_SHA '${sha}' is not a full commit id (40 or 64 hex characters); set it to the output of 'git rev-parse HEAD'.`,
    );
  }
  return sha;
}

function refName(ref: string, prefix: string): string | undefined {
  return ref.startsWith(prefix) && ref.length > prefix.length ? ref.slice(prefix.length) : undefined;
}

function pullRequestNumberOf(ref: string): number | undefined {
  const found = PULL_REQUEST_REF.exec(ref)?.[1];
  return found === undefined ? undefined : Number(found);
}

function webUrl(serverUrl: string | undefined, repository: string | undefined): string | undefined {
  if (!repository) return undefined;
  const server = nonEmpty(serverUrl)?.replace(/\/+$/, '') ?? 'https://github.com';
  return `${server}/${repository}`;
}

/** Any ISO 8601 time with an offset, as UTC: the same commit gives the same `created` label on every runner. */
function isoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

function wholeNumber(value: string | undefined): number | undefined {
  const trimmed = value?.trim() ?? '';
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** GitHub's NOASSERTION means "a license we could not identify": no better than no label. */
function spdxId(value: string | undefined): string | undefined {
  return value === 'NOASSERTION' ? undefined : value;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'object' && field !== null ? (field as Record<string, unknown>) : undefined;
}

function stringAt(value: Record<string, unknown> | undefined, key: string): string | undefined {
  const field = value?.[key];
  return typeof field === 'string' ? nonEmpty(field) : undefined;
}

function numberAt(value: Record<string, unknown> | undefined, key: string): number | undefined {
  const field = value?.[key];
  return typeof field === 'number' && Number.isSafeInteger(field) && field > 0 ? field : undefined;
}

/** Keeps the object plain for equality checks and JSON: absent facts are absent keys, not undefined values. */
function dropUndefined(context: GitContext): GitContext {
  return Object.fromEntries(
    Object.entries(context).filter(([, value]) => value !== undefined),
  ) as unknown as GitContext;
}
