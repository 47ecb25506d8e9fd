/**
 * OCI image labels (org.opencontainers.image.*) from the build's context, and the same values as
 * OCI_* build args for Dockerfiles that set their own labels.
 */
import type { GitContext } from './git-context.js';
import { InputError } from '../shared/errors.js';

export type Labels = Record<string, string>;

/** `created`: the commit's time (a rebuild of one commit gets identical labels), the run's, or a fixed one. */
export type CreatedSetting = { kind: 'commit' } | { kind: 'now' } | { kind: 'fixed'; time: string };

const OCI = 'org.opencontainers.image.';

/** Label key → build arg name, in the order both are written. */
const BUILD_ARGS: [string, string][] = [
  [`${OCI}created`, 'OCI_CREATED'],
  [`${OCI}revision`, 'OCI_REVISION'],
  [`${OCI}source`, 'OCI_SOURCE'],
  [`${OCI}url`, 'OCI_URL'],
  [`${OCI}version`, 'OCI_VERSION'],
  [`${OCI}title`, 'OCI_TITLE'],
  [`${OCI}description`, 'OCI_DESCRIPTION'],
  [`${OCI}licenses`, 'OCI_LICENSES'],
  [`${OCI}ref.name`, 'OCI_REF_NAME'],
];

const CREATED_ACCEPTED =
  "expected 'commit' (the commit's time, the default), 'now' (the run's time), an ISO 8601 time such as 2024-05-01T12:00:00Z, or Unix seconds";
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export function parseCreated(text: string): CreatedSetting {
  const value = text.trim();
  const lowered = value.toLowerCase();
  if (lowered === '' || lowered === 'commit') return { kind: 'commit' };
  if (lowered === 'now') return { kind: 'now' };
  // Unix seconds, as SOURCE_DATE_EPOCH gives them for reproducible builds.
  const millis = /^\d{1,11}$/.test(value)
    ? Number(value) * 1000
    : ISO_TIME.test(value)
      ? Date.parse(value)
      : NaN;
  if (Number.isNaN(millis)) throw new InputError('created', text, CREATED_ACCEPTED);
  return { kind: 'fixed', time: new Date(millis).toISOString() };
}

/** Reverse-DNS style keys as Docker recommends; anything else is most likely a typo such as a missing `=`. */
const LABEL_KEY = /^[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?$/;

/**
 * The `labels` input: one key=value per line. Lines, not commas, separate labels, because descriptions hold
 * commas. An empty value (`key=`) removes that label, e.g. a licenses label the repository gets wrong.
 */
export function parseLabels(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    const key = equals < 0 ? line : line.slice(0, equals).trim();
    if (equals < 0 || !LABEL_KEY.test(key)) {
      throw new InputError(
        'labels',
        line,
        'write one key=value per line, such as org.opencontainers.image.vendor=Acme (key=  with no value removes a label)',
      );
    }
    if (labels.has(key)) throw new InputError('labels', line, `'${key}' is given twice; keep one`);
    labels.set(key, line.slice(equals + 1).trim());
  }
  return labels;
}

export interface LabelFacts {
  context: GitContext;
  /** The `version` output of the tag resolution. */
  version?: string;
  /** The first resolved tag: OCI's ref.name is the name of the image's reference, i.e. its tag. */
  primaryTag?: string;
  created: CreatedSetting;
  /** The run's time, from the caller's clock. */
  now: Date;
  overrides?: ReadonlyMap<string, string>;
}

/**
 * The OCI labels, unknown facts left out, then the `labels` input applied: it replaces a label in place,
 * adds new ones at the end and removes those it gives an empty value.
 */
export function ociLabels(facts: LabelFacts): Labels {
  const { context } = facts;
  const labels = new Map<string, string>();
  const set = (name: string, value: string | undefined): void => {
    // One line each: outputs are key=value lines, and a multi-line description would break them.
    const flat = value?.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    if (flat) labels.set(OCI + name, flat);
  };
  set('created', createdTime(facts));
  set('revision', context.sha);
  set('source', context.repositoryUrl);
  set('url', context.repositoryUrl);
  set('version', facts.version);
  set('title', context.sourceRepository?.split('/').pop());
  set('description', context.description);
  set('licenses', context.license);
  set('ref.name', facts.primaryTag);
  for (const [key, value] of facts.overrides ?? []) {
    if (value === '') labels.delete(key);
    else labels.set(key, value);
  }
  return Object.fromEntries(labels);
}

/** With no known commit time (pull requests, dispatch) the run's time stands in. */
function createdTime(facts: LabelFacts): string {
  switch (facts.created.kind) {
    case 'fixed':
      return facts.created.time;
    case 'now':
      return facts.now.toISOString();
    case 'commit':
      return facts.context.commitTime ?? facts.now.toISOString();
  }
}

/**
 * SOURCE_DATE_EPOCH for BuildKit: the time the image is stamped with, in Unix seconds, when it is the same
 * on every rebuild (the commit's time, or a fixed `created`); undefined when only the run's time is known.
 */
export function sourceDateEpoch(created: CreatedSetting, context: GitContext): number | undefined {
  const time =
    created.kind === 'fixed' ? created.time : created.kind === 'commit' ? context.commitTime : undefined;
  if (time === undefined) return undefined;
  const millis = Date.parse(time);
  return Number.isNaN(millis) ? undefined : Math.floor(millis / 1000);
}

/** The OCI_* build args: the final label values (overrides included), for the labels that are set. */
export function ociBuildArgs(labels: Labels): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [key, arg] of BUILD_ARGS) {
    const value = labels[key];
    if (value !== undefined) args[arg] = value;
  }
  return args;
}
