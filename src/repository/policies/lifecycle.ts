/** The `lifecycle-policy` input: JSON, a file, or the shorthand, resolved to the validated policy text. Pure. */
import { compileLifecycleShorthand, LIFECYCLE_SHORTHAND_KEYS } from './lifecycle-shorthand.js';
import type { LifecyclePolicy } from './lifecycle-types.js';
import { validateLifecyclePolicy } from './lifecycle-validate.js';
import { readPolicySource, type ReadFile } from './policy-source.js';

export interface ResolvedLifecyclePolicy {
  policy: LifecyclePolicy;
  /** The text for PutLifecyclePolicy; compare with the stored one through policiesEqual. */
  text: string;
  /** Where it came from, for the log line. */
  source: 'inline' | 'file' | 'shorthand';
}

/**
 * The `lifecycle-policy` input, whichever way it is written (inline JSON, a path to a JSON file, or shorthand
 * such as `keep=30, untagged-days=7`), validated before any call. Undefined when the input is empty: the
 * repository's policy is then left as it is.
 */
export function resolveLifecyclePolicy(
  text: string,
  readFile: ReadFile,
): ResolvedLifecyclePolicy | undefined {
  if (text.trim() === '') return undefined;
  const source = readPolicySource('lifecycle-policy', text, readFile, LIFECYCLE_SHORTHAND_KEYS);
  // Compiled policies go through the same validation: a shorthand bug must not reach ECR either.
  const policy = validateLifecyclePolicy(
    source.kind === 'shorthand' ? compileLifecycleShorthand(source.text) : source.json,
  );
  return { policy, text: JSON.stringify(policy), source: source.kind };
}
