/** The `repository-tags` input: AWS resource tags on a created repository (not image tags). Pure. */
import { InputError } from '../../shared/errors.js';
import { parseList } from '../../shared/lists.js';

/** One AWS resource tag on the repository (not an image tag). */
export interface ResourceTag {
  key: string;
  value: string;
}

const INPUT = 'repository-tags';
/** AWS's tag limits: letters, digits, spaces and `_ . : / = + - @`; keys 1-128, values 0-256; 50 per resource. */
/** With the u flag the length bounds count characters, as AWS does, not UTF-16 units. */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_TAGS = 50;

/** `team=platform, cost-center=42` → tags, in the order written. */
export function parseResourceTags(text: string): ResourceTag[] {
  const tags: ResourceTag[] = [];
  for (const item of parseList(text)) {
    const tag = parseTag(item);
    if (tags.some((seen) => seen.key === tag.key)) {
      throw new InputError(INPUT, item, `the key '${tag.key}' is given twice; give each key once`);
    }
    tags.push(tag);
  }
  if (tags.length > MAX_TAGS) {
    throw new InputError(
      INPUT,
      text,
      `a repository holds at most ${MAX_TAGS} tags, this gives ${tags.length}`,
    );
  }
  return tags;
}

function parseTag(item: string): ResourceTag {
  const equals = item.indexOf('=');
  if (equals < 0) throw new InputError(INPUT, item, 'each item is key=value, e.g. team=platform');
  const key = item.slice(0, equals).trim();
  const value = item.slice(equals + 1).trim();
  if (!TAG_KEY.test(key)) {
    throw new InputError(
      INPUT,
      item,
      "a tag key is 1-128 letters, digits, spaces or _ . : / = + - @ (split at the first '=')",
    );
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new InputError(INPUT, item, "keys starting with 'aws:' are reserved for AWS; choose another key");
  }
  if (!TAG_VALUE.test(value)) {
    throw new InputError(INPUT, item, 'a tag value is 0-256 letters, digits, spaces or _ . : / = + - @');
  }
  return { key, value };
}
