/**
 * Policy text compared by meaning rather than by bytes: ECR hands back the text it stored, which may differ
 * from ours in white space or key order, and a re-run must not rewrite a policy that has not changed.
 */

/** JSON with object keys sorted at every level and no white space; array order is kept (it can matter). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]));
  }
  return value;
}

/**
 * True when two policy texts hold the same JSON. Text that is not JSON is compared trimmed, so a broken
 * policy stored by hand still counts as different from ours and gets replaced.
 */
export function policiesEqual(a: string, b: string): boolean {
  const left = tryParse(a);
  const right = tryParse(b);
  if (left === undefined || right === undefined) return a.trim() === b.trim();
  return canonicalJson(left) === canonicalJson(right);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
