/**
 * The least-privilege IAM policy for exactly what this configuration does: the `iam-policy` output, and
 * the policy quoted in an AccessDenied message.
 */
import { formatPolicy, minimalIamPolicy, type IamFeatures, type RepositoryRef } from './policy.js';
import type { Inputs } from '../inputs/inputs.js';

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

export function iamFeaturesFor(inputs: Inputs, repositories: RepositoryRef[]): IamFeatures {
  if (inputs.registryType === 'public') return { ecrPublic: true };
  const manage = repositories.length > 0;
  const management = inputs.management;
  const kmsKey =
    management.settings.encryption?.type === 'KMS' ? management.settings.encryption.kmsKey : undefined;
  return {
    login: true,
    ...(manage
      ? {
          repositories,
          // Naming a repository means images go there, by this action or by a later docker push.
          push: true,
          describe: true,
          createRepository: management.create,
          repositoryTags: management.create && management.settings.resourceTags.length > 0,
          updateSettings:
            management.settings.tagMutability !== undefined || management.settings.scanOnPush !== undefined,
          lifecyclePolicy: management.lifecyclePolicy !== undefined,
          repositoryPolicy: management.repositoryPolicy !== undefined,
          cleanup: management.cleanup,
          // cache: ecr reads its cache layers back from the repository: the pull actions.
          ...(inputs.build.cache ? { pullFrom: repositories } : {}),
          ...(management.create && kmsKey ? { kmsKey } : {}),
        }
      : {}),
  };
}

export function iamPolicyText(inputs: Inputs, repositories: RepositoryRef[]): string {
  return formatPolicy(minimalIamPolicy(iamFeaturesFor(inputs, repositories)));
}

/** For error messages: the same policy on one line. */
export function compactPolicy(inputs: Inputs, repositories: RepositoryRef[]): string {
  return JSON.stringify(minimalIamPolicy(iamFeaturesFor(inputs, repositories)));
}
