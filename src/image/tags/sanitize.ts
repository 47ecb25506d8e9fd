/**
 * Turns any text (branch names, git tags, user values) into a valid image tag, or nothing. Whatever a branch
 * is called, the result is inert tag text: it never starts with `-` (so it cannot read as a CLI option) and
 * holds no shell, quote or newline characters.
 */
import { createHash } from 'node:crypto';

/** What Docker and ECR accept as a tag. */
export const TAG_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export const MAX_TAG_LENGTH = 128;
/** A cut tag keeps this much of its text, then `-` and a 7-hex hash: 120 + 1 + 7 = 128. */
const KEPT_WHEN_CUT = 120;
const HASH_LENGTH = 7;

/**
 * The tag for `text`, or undefined when nothing usable is left. Accents are dropped first (`über` → `uber`),
 * each run of other characters becomes one `-`, and leading `.` and `-` go. A result over 128 characters is
 * cut and given a hash of the whole original text, so two long branch names that share their first 120
 * characters still get different tags.
 */
export function toTagName(text: string): string | undefined {
  const withoutAccents = text.normalize('NFKD').replace(/\p{M}/gu, '');
  const name = withoutAccents.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  if (name === '') return undefined;
  if (name.length <= MAX_TAG_LENGTH) return name;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
  return `${name.slice(0, KEPT_WHEN_CUT)}-${hash}`;
}
