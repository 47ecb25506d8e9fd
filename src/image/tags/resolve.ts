/**
 * Applies the tag rules to one build's context: the tags to push, in the order written (the first is the
 * primary one), each a valid image tag, without duplicates.
 */
import type { GitContext } from '../git-context.js';
import { InputError } from '../../shared/errors.js';
import { decideLatest, describeLatest, type LatestDecision, type LatestSetting } from './latest.js';
import type { Enable, TagRule } from './rules.js';
import { toTagName } from './sanitize.js';
import { findVersion, fullVersion, semverTag } from './semver.js';
import { expandTemplate, usesPlaceholder, type TemplateValues } from './template.js';
import type { ResolvedTag, TagKind } from './types.js';
import { upstreamTags } from './upstream.js';

export interface ResolveOptions {
  latest: LatestSetting;
  /** The run's time, from the caller's clock: `{{date}}`, and `{{commit_date}}` when the commit time is unknown. */
  now: Date;
  /** The highest stable version the repository already has: `latest` never moves below it. */
  highestExisting?: string;
}

export interface TagResolution {
  tags: ResolvedTag[];
  /**
   * docker/metadata-action's `version` output: the semver or upstream version, else the name of the first
   * git tag, branch or pull request tag, else the primary tag.
   */
  version?: string;
  latest: LatestDecision;
}

/** The tags from one rule, before the prefix and suffix. */
interface Candidate {
  value: string;
  kind: TagKind;
  moving: boolean;
  version?: string;
  floating?: 'major' | 'minor';
}

/** The release a semver or upstream rule found: what `latest` and the `version` output are about. */
interface Release {
  /** As semver, for comparisons. */
  semver: string;
  /** As shown in the `version` output and label. */
  display: string;
}

/** Placeholders that make a tag unique to one commit or run, so it never has to move. */
const PINNING_PLACEHOLDERS = ['sha', 'run_number'];
const REF_KINDS: TagKind[] = ['tag', 'branch', 'pr'];

export function resolveTags(rules: TagRule[], context: GitContext, options: ResolveOptions): TagResolution {
  const values = templateValues(context, options.now);
  const tags: ResolvedTag[] = [];
  let release: Release | undefined;
  for (const rule of rules) {
    if (!isEnabled(rule.enable, context)) continue;
    const output = candidatesOf(rule, context, values);
    release ??= output.release;
    for (const candidate of output.candidates) {
      const tag = compose(rule, candidate, values);
      if (tag && !tags.some((existing) => existing.name === tag.name)) tags.push(tag);
    }
  }

  const version =
    release?.semver ?? (hasVersionRules(rules, context) ? undefined : gitTagVersion(context, tags));
  const latest = decideLatest(options.latest, context, version, options.highestExisting);
  if (latest.latest && !tags.some((tag) => tag.name === 'latest')) {
    const tag: ResolvedTag = {
      name: 'latest',
      kind: 'latest',
      moving: true,
      rule: `latest: ${describeLatest(options.latest)}`,
    };
    if (version !== undefined) tag.version = version;
    tags.push(tag);
  }

  const display = release?.display ?? tags.find((tag) => REF_KINDS.includes(tag.kind))?.name ?? tags[0]?.name;
  return display === undefined ? { tags, latest } : { tags, version: display, latest };
}

function hasVersionRules(rules: TagRule[], context: GitContext): boolean {
  return rules.some(
    (rule) => (rule.type === 'semver' || rule.type === 'upstream') && isEnabled(rule.enable, context),
  );
}

/**
 * With no semver or upstream rule, a git tag that is a version (v1.2.3) and was pushed as a tag of its own
 * (type=tag) is the release, as docker/metadata-action's latest=auto treats it.
 */
function gitTagVersion(context: GitContext, tags: ResolvedTag[]): string | undefined {
  if (context.tag === undefined || !tags.some((tag) => tag.kind === 'tag')) return undefined;
  const found = findVersion(context.tag);
  return found ? fullVersion(found.parsed) : undefined;
}

function isEnabled(enable: Enable, context: GitContext): boolean {
  if (typeof enable === 'boolean') return enable;
  const onDefault =
    context.prNumber === undefined &&
    context.branch !== undefined &&
    context.branch === context.defaultBranch;
  return enable === 'default-branch' ? onDefault : !onDefault;
}

function candidatesOf(
  rule: TagRule,
  context: GitContext,
  values: TemplateValues,
): { candidates: Candidate[]; release?: Release } {
  switch (rule.type) {
    case 'sha': {
      const value = rule.length === 'full' ? context.sha : context.sha.slice(0, rule.length);
      return { candidates: [{ value, kind: 'sha', moving: false }] };
    }
    case 'branch':
      // Not for pull requests: a fork's branch called `main` must not overwrite our `main` image.
      if (context.prNumber !== undefined || context.branch === undefined) return { candidates: [] };
      return { candidates: [{ value: context.branch, kind: 'branch', moving: true }] };
    case 'tag':
      return {
        candidates: context.tag === undefined ? [] : [{ value: context.tag, kind: 'tag', moving: false }],
      };
    case 'pr':
      // Moves: every push to the pull request rebuilds it.
      return {
        candidates:
          context.prNumber === undefined
            ? []
            : [{ value: String(context.prNumber), kind: 'pr', moving: true }],
      };
    case 'semver': {
      const source = rule.value ?? context.tag;
      const found = source === undefined ? undefined : findVersion(source, rule.match);
      if (!found) return { candidates: [] };
      const version = fullVersion(found.parsed);
      const release = { semver: version, display: version };
      const tag = semverTag(rule.pattern, found);
      if (!tag) return { candidates: [], release };
      const candidate: Candidate = {
        value: tag.value,
        kind: 'semver',
        moving: tag.floating !== undefined,
        version,
      };
      if (tag.floating) candidate.floating = tag.floating;
      return { candidates: [candidate], release };
    }
    case 'upstream': {
      const tags = upstreamTags(rule.version, rule.revision, rule.floating);
      const candidates = tags.map((tag): Candidate => {
        const candidate: Candidate = {
          value: tag.value,
          kind: 'upstream',
          moving: tag.floating !== undefined,
          version: rule.version.semver,
        };
        if (tag.floating) candidate.floating = tag.floating;
        return candidate;
      });
      return {
        candidates,
        release: { semver: rule.version.semver, display: tags[0]?.value ?? rule.version.text },
      };
    }
    case 'raw': {
      const value = expandTemplate(rule.value, values);
      const pinned = usesPlaceholder(rule.value, PINNING_PLACEHOLDERS);
      return { candidates: value === undefined ? [] : [{ value, kind: 'raw', moving: !pinned }] };
    }
  }
}

/**
 * Prefix + value + suffix as one valid tag, or undefined when the prefix or suffix names a value this
 * build lacks. A rule whose text leaves no tag character at all is the user's to fix, so it fails.
 */
function compose(rule: TagRule, candidate: Candidate, values: TemplateValues): ResolvedTag | undefined {
  const prefix = expandTemplate(rule.prefix, values);
  const suffix = expandTemplate(rule.suffix, values);
  if (prefix === undefined || suffix === undefined) return undefined;
  const text = prefix + candidate.value + suffix;
  const name = toTagName(text);
  if (name === undefined) {
    throw new InputError(
      'tags',
      rule.line,
      `here it gives ${JSON.stringify(text)}, which has no character an image tag can hold (A-Z a-z 0-9 _ . -); add a prefix= such as prefix=${rule.type}- or turn the rule off with enable=false`,
    );
  }
  const pinned =
    usesPlaceholder(rule.prefix, PINNING_PLACEHOLDERS) || usesPlaceholder(rule.suffix, PINNING_PLACEHOLDERS);
  const tag: ResolvedTag = {
    name,
    kind: candidate.kind,
    moving: candidate.moving && !pinned,
    rule: rule.line,
  };
  if (candidate.version !== undefined) tag.version = candidate.version;
  if (candidate.floating !== undefined) tag.floating = candidate.floating;
  return tag;
}

function templateValues(context: GitContext, now: Date): TemplateValues {
  const commitTime = context.commitTime === undefined ? undefined : new Date(context.commitTime);
  return {
    value: (name) => {
      switch (name) {
        case 'branch':
          return context.branch;
        case 'tag':
          return context.tag;
        case 'sha':
          return context.sha.slice(0, 7);
        case 'base_ref':
          return context.baseBranch;
        case 'run_number':
          return context.runNumber === undefined ? undefined : String(context.runNumber);
        default:
          return undefined;
      }
    },
    // The commit time is unknown for some events (pull requests, dispatch): the run time stands in, as
    // it does for the `created` label.
    date: (name) =>
      name === 'commit_date' && commitTime && !Number.isNaN(commitTime.getTime()) ? commitTime : now,
  };
}
