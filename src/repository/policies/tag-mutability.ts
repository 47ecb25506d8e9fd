/** Tag mutability as ECR holds it, and which tags a setting keeps immutable (its exclusion filters). Pure. */
import { matchesAnyWildcard } from './wildcard.js';

export const TAG_MUTABILITIES = [
  'MUTABLE',
  'IMMUTABLE',
  'IMMUTABLE_WITH_EXCLUSION',
  'MUTABLE_WITH_EXCLUSION',
] as const;
export type TagMutability = (typeof TAG_MUTABILITIES)[number];

/** What ECR's PutImageTagMutability holds: the setting and, for the *_WITH_EXCLUSION ones, its filters. */
export interface TagMutabilitySetting {
  mutability: TagMutability;
  /** ECR wildcard filters; empty unless `mutability` ends in _WITH_EXCLUSION. */
  exclusionFilters: string[];
}

/** ECR's limits for one exclusion filter, and how many a repository may have. */
export const EXCLUSION_FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;
export const MAX_EXCLUSION_FILTERS = 5;

export function hasExclusions(mutability: TagMutability): boolean {
  return mutability.endsWith('_WITH_EXCLUSION');
}

/**
 * Whether ECR refuses to move `tag` once it exists. The filters invert the setting: under
 * IMMUTABLE_WITH_EXCLUSION they name the tags that stay mutable, under MUTABLE_WITH_EXCLUSION the immutable ones.
 */
export function isTagImmutable(setting: TagMutabilitySetting, tag: string): boolean {
  switch (setting.mutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !matchesAnyWildcard(setting.exclusionFilters, tag);
    case 'MUTABLE_WITH_EXCLUSION':
      return matchesAnyWildcard(setting.exclusionFilters, tag);
  }
}
