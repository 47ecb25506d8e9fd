/**
 * The least-privilege IAM policy for exactly what this configuration does: the `iam-policy` output, and
 * the policy quoted in an AccessDenied message.
 */
import { formatPolicy, minimalIamPolicy, type IamFeatures, type RepositoryRef } from './policy.js';
import type { Inputs } from '../inputs/types.js';
import { iamFeaturesOfInputs } from '../inputs/table.js';

/** Where an account ID is not known before the login (the caller's own registry), `*` stands in. */
export function repositoryRefs(
  inputs: Inputs,
  accounts: ReadonlyMap<string, string> = new Map(),
): RepositoryRef[] {
  const name = inputs.metadata.repository;
  if (name === undefined || inputs.registryType === 'public') return [];
  const refs = inputs.registries.map((spec) => ({
    region: spec.region,
    accountId: spec.accountId ?? accounts.get(spec.region) ?? '*',
    name,
  }));
  return refs.filter(
    (ref, index) =>
      refs.findIndex((other) => other.region === ref.region && other.accountId === ref.accountId) === index,
  );
}

/** What the configuration does, in IAM features: the table's `iam` column (src/inputs/table.ts), plus the base. */
export function iamFeaturesFor(inputs: Inputs, repositories: RepositoryRef[]): IamFeatures {
  const features = iamFeaturesOfInputs(inputs, repositories);
  if (features.ecrPublic) return { ecrPublic: true };
  // Without a repository the step only logs in.
  if (repositories.length === 0) return { login: true };
  // Naming a repository means images go there, by this action or by a later docker push.
  return { login: true, repositories, push: true, describe: true, ...features };
}

export function iamPolicyText(inputs: Inputs, repositories: RepositoryRef[]): string {
  return formatPolicy(minimalIamPolicy(iamFeaturesFor(inputs, repositories)));
}

/** For error messages: the same policy on one line. */
export function compactPolicy(inputs: Inputs, repositories: RepositoryRef[]): string {
  return JSON.stringify(minimalIamPolicy(iamFeaturesFor(inputs, repositories)));
}
