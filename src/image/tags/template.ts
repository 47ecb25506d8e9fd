/**
 * `{{name}}` placeholders in tag values, prefixes, suffixes and semver patterns, as docker/metadata-action
 * writes them. Parsing checks every placeholder up front, so a typo fails when the input is read rather
 * than producing an odd tag on the one event that reaches it.
 */

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'placeholder'; name: string }
  | { kind: 'date'; name: string; format: DateToken[] };

export interface Template {
  /** As the user wrote it, for messages. */
  source: string;
  segments: Segment[];
}

/** Placeholders that take a date format: `{{date 'YYYYMMDD'}}`. */
const DATED = new Set(['date', 'commit_date']);
const DEFAULT_DATE_FORMAT = 'YYYYMMDD';
const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)(?:\s+'([^']*)')?\s*\}\}/g;

/** A parsed template, or the reason it is not one (for the caller to put in its InputError). */
export function parseTemplate(source: string, allowed: readonly string[]): Template | string {
  const segments: Segment[] = [];
  let end = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const [whole, name = '', format] = match;
    const text = source.slice(end, match.index);
    if (text.includes('{{') || text.includes('}}')) return unbalanced(text);
    if (text !== '') segments.push({ kind: 'text', text });
    end = match.index + whole.length;
    const placeholder = name.toLowerCase();
    if (!allowed.includes(placeholder)) {
      return `'{{${name}}}' is not a placeholder here; use ${allowed.map((known) => `{{${known}}}`).join(', ')}`;
    }
    if (DATED.has(placeholder)) {
      const tokens = parseDateFormat(format ?? DEFAULT_DATE_FORMAT);
      if (typeof tokens === 'string') return tokens;
      segments.push({ kind: 'date', name: placeholder, format: tokens });
    } else if (format !== undefined) {
      return `{{${placeholder}}} takes no argument ('${format}')`;
    } else {
      segments.push({ kind: 'placeholder', name: placeholder });
    }
  }
  const rest = source.slice(end);
  if (rest.includes('{{') || rest.includes('}}')) return unbalanced(rest);
  if (rest !== '') segments.push({ kind: 'text', text: rest });
  return { source, segments };
}

function unbalanced(text: string): string {
  return `'${text}' has an unmatched '{{' or '}}'; write placeholders as {{name}}, or {{date 'YYYYMMDD'}}`;
}

/** Values for a template's placeholders; undefined when this build has no such value. */
export interface TemplateValues {
  value(name: string): string | undefined;
  date(name: string): Date | undefined;
}

/**
 * The template's text, or undefined when it names a value this build does not have (`{{branch}}` on a tag
 * push): a tag made of the remaining pieces would be misleading, so the caller makes no tag.
 */
export function expandTemplate(template: Template, values: TemplateValues): string | undefined {
  let text = '';
  for (const segment of template.segments) {
    if (segment.kind === 'text') {
      text += segment.text;
      continue;
    }
    if (segment.kind === 'date') {
      const date = values.date(segment.name);
      if (date === undefined) return undefined;
      text += formatDate(date, segment.format);
      continue;
    }
    const value = values.value(segment.name);
    if (value === undefined) return undefined;
    text += value;
  }
  return text;
}

export function usesPlaceholder(template: Template, names: readonly string[]): boolean {
  return template.segments.some((segment) => segment.kind !== 'text' && names.includes(segment.name));
}

export type DateToken = 'YYYY' | 'YY' | 'MM' | 'DD' | 'HH' | 'mm' | 'ss' | { literal: string };

const DATE_TOKENS = ['YYYY', 'YY', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;

/**
 * The small, unambiguous subset of moment.js formats that tags need. Other letters are refused rather than
 * copied, since `{{date 'YYYYMMDDThhmm'}}` silently keeping `hh` would give a tag that looks right and
 * is not.
 */
function parseDateFormat(format: string): DateToken[] | string {
  const tokens: DateToken[] = [];
  let rest = format;
  while (rest !== '') {
    const token = DATE_TOKENS.find((candidate) => rest.startsWith(candidate));
    if (token) {
      tokens.push(token);
      rest = rest.slice(token.length);
      continue;
    }
    const char = rest.charAt(0);
    if (/\p{L}/u.test(char)) {
      return `date format '${format}' has '${char}'; use YYYY, YY, MM, DD, HH, mm, ss and separators such as - . _`;
    }
    tokens.push({ literal: char });
    rest = rest.slice(1);
  }
  return tokens;
}

/** In UTC, so a runner's time zone never changes a tag. */
function formatDate(date: Date, format: DateToken[]): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return format
    .map((token) => {
      switch (token) {
        case 'YYYY':
          return String(date.getUTCFullYear()).padStart(4, '0');
        case 'YY':
          return two(date.getUTCFullYear() % 100);
        case 'MM':
          return two(date.getUTCMonth() + 1);
        case 'DD':
          return two(date.getUTCDate());
        case 'HH':
          return two(date.getUTCHours());
        case 'mm':
          return two(date.getUTCMinutes());
        case 'ss':
          return two(date.getUTCSeconds());
        default:
          return token.literal;
      }
    })
    .join('');
}
