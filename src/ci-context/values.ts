/**
 * Small conversions every CI reader needs: CI variables are strings, often empty rather than unset, and
 * "false" stands for "none" in some systems.
 */
import type { GitContext } from '../image/git-context.js';
import { ActionError } from '../shared/errors.js';

const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The trimmed value, or undefined for unset, empty and blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

export function wholeNumber(value: string | undefined): number | undefined {
  const trimmed = value?.trim() ?? '';
  if (!/^\d+$/.test(trimmed)) return undefined;
  const number = Number(trimmed);
  return Number.isSafeInteger(number) ? number : undefined;
}

/** A pull request number: a whole number above 0 (0 and "false" are how some systems say "none"). */
export function positiveNumber(value: string | undefined): number | undefined {
  const number = wholeNumber(value);
  return number !== undefined && number > 0 ? number : undefined;
}

/** The number a pull request's web address ends in: .../pull/7, .../pull-requests/7, .../merge_requests/7. */
export function numberAtEndOf(url: string | undefined): number | undefined {
  return positiveNumber(/\/(\d+)\/?$/.exec(url?.trim() ?? '')?.[1]);
}

/**
 * The commit in `variable`, full and lower case. The image's sha tag and revision label are only as good as
 * this, so a short or missing id fails with the variable to fix rather than tagging something else.
 */
export function commitId(value: string | undefined, variable: string, where: string): string {
  const sha = value?.trim().toLowerCase() ?? '';
  if (sha === '') {
    throw new ActionError(
      `${variable} is not set: the image tags need the commit being built. Run in ${where}, or set ${variable} to the full commit id ('git rev-parse HEAD').`,
    );
  }
  if (!COMMIT_ID.test(sha)) {
    throw new ActionError(
      `${variable} '${sha}' is not a full commit id (40 or 64 hex characters); run in a checkout of the commit or set ${variable} to the output of 'git rev-parse HEAD'.`,
    );
  }
  return sha;
}

/** Any ISO 8601 time with an offset, as UTC: the same commit gives the same `created` label on every CI. */
export function isoTime(value: string | undefined): string | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

/** Absent facts as absent keys, as readContext returns them: plain objects compare and print cleanly. */
export function compact(context: GitContext): GitContext {
  return Object.fromEntries(
    Object.entries(context).filter(([, value]) => value !== undefined),
  ) as unknown as GitContext;
}
