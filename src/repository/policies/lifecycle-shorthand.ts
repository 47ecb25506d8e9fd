/** The lifecycle shorthand (`keep=30,untagged-days=7`) compiled to an ECR lifecycle policy. Pure. */
import { InputError } from '../../shared/errors.js';
import { parseList } from '../../shared/lists.js';
import type { LifecyclePolicy, LifecycleRule, LifecycleSelection } from './lifecycle-types.js';

const INPUT = 'lifecycle-policy';

/**
 * The shorthand's keys. `keep`/`keep-days` make the catch-all rule, `untagged-*` the rule for untagged
 * images, `keep-prefix`/`keep-pattern` (repeatable) a rule for one group of tags: `v:100` keeps 100,
 * `pr-:14d` keeps 14 days.
 */
export const LIFECYCLE_SHORTHAND_KEYS = [
  'keep',
  'keep-days',
  'untagged-keep',
  'untagged-days',
  'keep-prefix',
  'keep-pattern',
] as const;
type ShorthandKey = (typeof LIFECYCLE_SHORTHAND_KEYS)[number];

const EXAMPLE = 'e.g. keep=30, untagged-days=7, keep-prefix=v:100';

type Limit = { count: number } | { days: number };

interface Parsed {
  groups: { kind: 'prefix' | 'pattern'; value: string; limit: Limit }[];
  untagged?: { item: string; limit: Limit };
  catchAll?: { item: string; limit: Limit };
}

/**
 * Compiles `keep=30, untagged-days=7, keep-prefix=v:100` into an ECR lifecycle policy. Priorities follow
 * ECR's evaluation order: tag groups first (in the order written, so each keeps its own images), then the
 * untagged rule, then the catch-all, which ECR requires to come last.
 */
export function compileLifecycleShorthand(text: string): LifecyclePolicy {
  const parsed = parseShorthand(text);
  const rules: Omit<LifecycleRule, 'rulePriority'>[] = parsed.groups.map(({ kind, value, limit }) =>
    kind === 'prefix'
      ? rule(`images tagged ${value}*`, { tagStatus: 'tagged', tagPrefixList: [value] }, limit)
      : rule(`images tagged ${value}`, { tagStatus: 'tagged', tagPatternList: [value] }, limit),
  );
  if (parsed.untagged) rules.push(rule('untagged images', { tagStatus: 'untagged' }, parsed.untagged.limit));
  if (parsed.catchAll) {
    const subject = rules.length > 0 ? 'other images' : 'images';
    rules.push(rule(subject, { tagStatus: 'any' }, parsed.catchAll.limit));
  }
  return { rules: rules.map((body, index) => ({ rulePriority: index + 1, ...body })) };
}

function parseShorthand(text: string): Parsed {
  const parsed: Parsed = { groups: [] };
  const items = parseList(text);
  if (items.length === 0) throw new InputError(INPUT, text, `give at least one rule, ${EXAMPLE}`);
  for (const item of items) {
    const match = /^([a-z-]+)\s*[=:]\s*(.*)$/i.exec(item);
    const key = match?.[1]?.toLowerCase();
    const value = match?.[2] ?? '';
    if (!isShorthandKey(key)) {
      const known = LIFECYCLE_SHORTHAND_KEYS.map((name) => `${name}=`).join(', ');
      throw new InputError(INPUT, item, `shorthand items are ${known}; ${EXAMPLE}`);
    }
    if (key === 'keep-prefix' || key === 'keep-pattern') {
      parsed.groups.push(parseGroup(item, value, key === 'keep-prefix' ? 'prefix' : 'pattern', parsed));
      continue;
    }
    const limit: Limit = key.endsWith('-days')
      ? { days: wholeNumber(item, value) }
      : { count: wholeNumber(item, value) };
    if (key === 'keep' || key === 'keep-days') {
      if (parsed.catchAll) {
        throw new InputError(
          INPUT,
          `${parsed.catchAll.item}, ${item}`,
          'both make the catch-all rule and ECR allows one; keep one of them',
        );
      }
      parsed.catchAll = { item, limit };
    } else {
      if (parsed.untagged) {
        throw new InputError(
          INPUT,
          `${parsed.untagged.item}, ${item}`,
          'both select untagged images and ECR allows one such rule; keep one of them',
        );
      }
      parsed.untagged = { item, limit };
    }
  }
  return parsed;
}

function isShorthandKey(key: string | undefined): key is ShorthandKey {
  return (LIFECYCLE_SHORTHAND_KEYS as readonly (string | undefined)[]).includes(key);
}

/** `v:100` or `pr-:14d`; the last `:` splits, so a pattern may not hold one (tags never do). */
function parseGroup(
  item: string,
  value: string,
  kind: 'prefix' | 'pattern',
  parsed: Parsed,
): Parsed['groups'][number] {
  const colon = value.lastIndexOf(':');
  const tags = colon < 0 ? '' : value.slice(0, colon).trim();
  const limitText = colon < 0 ? '' : value.slice(colon + 1).trim();
  const form =
    kind === 'prefix'
      ? 'keep-prefix=PREFIX:COUNT or keep-prefix=PREFIX:DAYSd, e.g. keep-prefix=v:100 or keep-prefix=pr-:14d'
      : 'keep-pattern=PATTERN:COUNT or keep-pattern=PATTERN:DAYSd, e.g. keep-pattern=release-*:50';
  const allowed = kind === 'prefix' ? /^[A-Za-z0-9._-]{1,128}$/ : /^[A-Za-z0-9._*-]{1,128}$/;
  if (!allowed.test(tags) || !/^\d+d?$/.test(limitText)) throw new InputError(INPUT, item, `use ${form}`);
  if (parsed.groups.some((group) => group.kind === kind && group.value === tags)) {
    throw new InputError(
      INPUT,
      item,
      `the ${kind} '${tags}' is given twice; ECR needs each tag ${kind} in one rule only`,
    );
  }
  const limit: Limit = limitText.endsWith('d')
    ? { days: wholeNumber(item, limitText.slice(0, -1)) }
    : { count: wholeNumber(item, limitText) };
  return { kind, value: tags, limit };
}

function wholeNumber(item: string, text: string): number {
  const number = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new InputError(INPUT, item, `the number must be a whole number of 1 or more; ${EXAMPLE}`);
  }
  return number;
}

function rule(
  subject: string,
  tags: Pick<LifecycleSelection, 'tagStatus' | 'tagPrefixList' | 'tagPatternList'>,
  limit: Limit,
): Omit<LifecycleRule, 'rulePriority'> {
  const count: Pick<LifecycleSelection, 'countType' | 'countUnit' | 'countNumber'> =
    'count' in limit
      ? { countType: 'imageCountMoreThan', countNumber: limit.count }
      : { countType: 'sinceImagePushed', countUnit: 'days', countNumber: limit.days };
  const description =
    'count' in limit
      ? `Keep the ${limit.count} most recent ${subject}`
      : `Expire ${subject} ${limit.days} days after push`;
  return { description, selection: { ...tags, ...count }, action: { type: 'expire' } };
}
