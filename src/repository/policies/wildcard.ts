/**
 * ECR's wildcard filters (tag mutability exclusions, lifecycle tagPatternList): `*` stands for any run of
 * characters, possibly empty; everything else matches itself, case-sensitively; the whole tag must match.
 */

export function matchesWildcard(filter: string, tag: string): boolean {
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 's').test(tag);
}

export function matchesAnyWildcard(filters: readonly string[], tag: string): boolean {
  return filters.some((filter) => matchesWildcard(filter, tag));
}

export function countWildcards(filter: string): number {
  return filter.split('*').length - 1;
}
