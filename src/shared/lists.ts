/** List inputs split as docker/metadata-action splits them (csv-parse underneath). Pure. */
import { parse } from 'csv-parse/sync';

/**
 * Splits a list input as docker/metadata-action does: items separated by commas or newlines, quoted with
 * `"` when an item itself holds a comma. Blank items and surrounding white space are dropped; lines
 * starting with `#` are comments.
 */
export function parseList(text: string): string[] {
  return parseRows(text).flat();
}

/** One row per line, each split on commas (CSV quoting); blank lines and `#` comments dropped. */
export function parseRows(text: string): string[][] {
  const rows: string[][] = parse(text, {
    columns: false,
    comment: '#',
    // Only whole lines are comments: '#' inside a value (a tag, a label, a key=a#b) is kept.
    comment_no_infix: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
  });
  return rows.map((row) => row.filter((item) => item !== '')).filter((row) => row.length > 0);
}

/**
 * One item per line, for inputs whose items hold commas themselves (`KEY=a,b`, `type=registry,ref=...`):
 * lines trimmed, blank lines and whole-line `#` comments dropped.
 */
export function parseLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
