/**
 * The `tags` input: one rule per line, comma-separated key=value attributes (CSV quoting), as
 * docker/metadata-action writes them. Everything is checked here, so a typo fails before any AWS call with
 * one line naming the rule and the fix.
 */
import { InputError } from '../../shared/errors.js';
import { parseRows } from '../../shared/lists.js';
import { SEMVER_PLACEHOLDERS } from './semver.js';
import { parseTemplate, type Template } from './template.js';
import { checkRevision, parseUpstreamVersion, type UpstreamVersion } from './upstream.js';

/** `enable=`: fixed, or docker/metadata-action's default-branch switches. */
export type Enable = boolean | 'default-branch' | 'not-default-branch';

interface RuleBase {
  /** The line as the user wrote it, for messages and ResolvedTag.rule. */
  line: string;
  enable: Enable;
  prefix: Template;
  suffix: Template;
}

export interface ShaRule extends RuleBase {
  type: 'sha';
  /** Characters of the commit id kept; 'full' for format=long. */
  length: number | 'full';
}
export interface BranchRule extends RuleBase {
  type: 'branch';
}
export interface GitTagRule extends RuleBase {
  type: 'tag';
}
export interface PullRequestRule extends RuleBase {
  type: 'pr';
}
export interface SemverRule extends RuleBase {
  type: 'semver';
  pattern: Template;
  /** A version given outright instead of the git tag. */
  value?: string;
  /** Its first group (else the whole match) is the version inside the git tag or value. */
  match?: RegExp;
}
export interface UpstreamRule extends RuleBase {
  type: 'upstream';
  version: UpstreamVersion;
  revision?: string;
  floating: boolean;
}
export interface RawRule extends RuleBase {
  type: 'raw';
  value: Template;
}

export type TagRule =
  ShaRule | BranchRule | GitTagRule | PullRequestRule | SemverRule | UpstreamRule | RawRule;
export type RuleType = TagRule['type'];

/** What an empty `tags` input means: the commit, and the branch or git tag it was built for. */
export const DEFAULT_TAG_RULES = 'type=sha\ntype=branch\ntype=tag';

/** Placeholders in raw values, prefixes and suffixes. */
export const TAG_PLACEHOLDERS = [
  'branch',
  'tag',
  'sha',
  'base_ref',
  'run_number',
  'date',
  'commit_date',
] as const;

const COMMON_KEYS = ['type', 'enable', 'prefix', 'suffix'];
const KEYS_BY_TYPE: Record<RuleType, string[]> = {
  sha: ['length', 'format'],
  branch: [],
  tag: [],
  pr: [],
  semver: ['pattern', 'value', 'match'],
  upstream: ['version', 'revision', 'floating'],
  raw: ['value'],
};
const RULE_TYPES = Object.keys(KEYS_BY_TYPE) as RuleType[];
const DEFAULT_PREFIX: Partial<Record<RuleType, string>> = { sha: 'sha-', pr: 'pr-' };
const SHA_LENGTH = { min: 4, max: 64, default: 7 };

export function parseTagRules(text: string): TagRule[] {
  const rules = parseLines(text);
  return rules.length > 0 ? rules : parseLines(DEFAULT_TAG_RULES);
}

function parseLines(text: string): TagRule[] {
  // Line by line rather than one CSV parse, to keep each rule's own text for its messages.
  return text.split(/\r?\n/).flatMap((line) => parseRows(line).map((items) => parseRule(line.trim(), items)));
}

function parseRule(line: string, items: string[]): TagRule {
  const fail = (problem: string): never => {
    throw new InputError('tags', line, problem);
  };
  const attributes = new Map<string, string>();
  for (const item of items) {
    const equals = item.indexOf('=');
    if (equals <= 0) {
      fail(
        `'${item}' is not key=value; start each line with type=... (for a fixed tag: type=raw,value=${item})`,
      );
    }
    const key = item.slice(0, equals).trim().toLowerCase();
    if (attributes.has(key)) fail(`'${key}' is given twice; keep one`);
    attributes.set(key, item.slice(equals + 1).trim());
  }

  const type = parseType(attributes.get('type'), fail);
  const known = [...COMMON_KEYS, ...KEYS_BY_TYPE[type]];
  for (const key of attributes.keys()) {
    if (!known.includes(key)) fail(`type=${type} takes ${known.slice(1).join(', ')}, not '${key}'`);
  }

  const template = (key: string, fallback: string): Template => {
    const value = attributes.get(key) ?? fallback;
    const parsed = parseTemplate(value, TAG_PLACEHOLDERS);
    return typeof parsed === 'string' ? fail(`${key}: ${parsed}`) : parsed;
  };
  const base: RuleBase = {
    line,
    enable: parseEnable(attributes.get('enable'), fail),
    prefix: template('prefix', DEFAULT_PREFIX[type] ?? ''),
    suffix: template('suffix', ''),
  };

  switch (type) {
    case 'sha':
      return { ...base, type, length: parseShaLength(attributes, fail) };
    case 'branch':
    case 'tag':
    case 'pr':
      return { ...base, type };
    case 'semver':
      return parseSemverRule(base, attributes, fail);
    case 'upstream':
      return parseUpstreamRule(base, attributes, fail);
    case 'raw': {
      if (!attributes.get('value'))
        fail('type=raw needs value=, such as value=edge or value={{branch}}-{{sha}}');
      return { ...base, type, value: template('value', '') };
    }
  }
}

type Fail = (problem: string) => never;

function parseType(value: string | undefined, fail: Fail): RuleType {
  if (value === undefined)
    fail('each rule needs a type=, such as type=sha or type=semver,pattern={{version}}');
  const type = value.toLowerCase();
  if (type === 'ref') {
    fail("type=ref,event=... is docker/metadata-action's spelling; write type=branch, type=tag or type=pr");
  }
  if (!(RULE_TYPES as string[]).includes(type)) fail(`the type is one of ${RULE_TYPES.join(', ')}`);
  return type as RuleType;
}

function parseEnable(value: string | undefined, fail: Fail): Enable {
  switch (value?.replace(/\s+/g, '').toLowerCase()) {
    case undefined:
    case 'true':
      return true;
    case 'false':
      return false;
    case '{{is_default_branch}}':
      return 'default-branch';
    case '{{is_not_default_branch}}':
      return 'not-default-branch';
    default:
      return fail('enable= takes true, false, {{is_default_branch}} or {{is_not_default_branch}}');
  }
}

function parseShaLength(attributes: Map<string, string>, fail: Fail): number | 'full' {
  const format = attributes.get('format')?.toLowerCase();
  const length = attributes.get('length');
  if (format !== undefined && format !== 'short' && format !== 'long') {
    fail('format= takes short (length= characters, 7 by default) or long (the full commit id)');
  }
  if (format === 'long') {
    if (length !== undefined) fail('format=long is the full commit id; drop length= or format=long');
    return 'full';
  }
  if (length === undefined) return SHA_LENGTH.default;
  const parsed = Number(length);
  if (!/^\d+$/.test(length) || parsed < SHA_LENGTH.min || parsed > SHA_LENGTH.max) {
    fail(`length= takes a whole number from ${SHA_LENGTH.min} to ${SHA_LENGTH.max} (7 by default)`);
  }
  return parsed;
}

function parseSemverRule(base: RuleBase, attributes: Map<string, string>, fail: Fail): SemverRule {
  const pattern = parseTemplate(attributes.get('pattern') ?? '{{version}}', SEMVER_PLACEHOLDERS);
  if (typeof pattern === 'string') fail(`pattern: ${pattern}`);
  if (!pattern.segments.some((segment) => segment.kind !== 'text')) {
    fail('pattern= needs a placeholder: {{version}}, {{major}}.{{minor}}, {{major}} or {{raw}}');
  }
  const rule: SemverRule = { ...base, type: 'semver', pattern };
  // An empty value= (an unset expression) falls back to the git tag, as docker/metadata-action does.
  const value = attributes.get('value');
  if (value) rule.value = value;
  const match = attributes.get('match');
  if (match !== undefined) rule.match = parseMatch(match, fail);
  return rule;
}

function parseMatch(source: string, fail: Fail): RegExp {
  if (source === '') fail('match= is empty; give a regex whose first group is the version, such as v(.*)');
  try {
    return new RegExp(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(
      `match= is not a valid regex (${reason}); escape special characters, e.g. release-(\\d+\\.\\d+\\.\\d+)`,
    );
  }
}

function parseUpstreamRule(base: RuleBase, attributes: Map<string, string>, fail: Fail): UpstreamRule {
  const versionText = attributes.get('version');
  if (!versionText) fail('type=upstream needs version=, such as version=8.0.12,revision=c15');
  const version = parseUpstreamVersion(versionText);
  if (typeof version === 'string') fail(version);
  const rule: UpstreamRule = { ...base, type: 'upstream', version, floating: false };
  const revision = attributes.get('revision');
  if (revision !== undefined) {
    const problem =
      revision === '' ? 'revision= is empty; drop it or give one, such as c15' : checkRevision(revision);
    if (problem) fail(problem);
    rule.revision = revision;
  }
  const floating = attributes.get('floating')?.toLowerCase();
  if (floating !== undefined && floating !== 'true' && floating !== 'false') {
    fail('floating= takes true (also tag MAJOR.MINOR and MAJOR) or false');
  }
  rule.floating = floating === 'true';
  return rule;
}
