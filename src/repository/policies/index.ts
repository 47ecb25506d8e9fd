/** Repository settings and policies, parsed and validated before any AWS call. */
export { accountRootArn, partitionOf, repositoryArn } from './arn.js';
export { canonicalJson, policiesEqual } from './canonical-json.js';
export { parseKmsKey, type KmsKeyRef } from './kms-key.js';
export { resolveLifecyclePolicy, type ResolvedLifecyclePolicy } from './lifecycle.js';
export { compileLifecycleShorthand, LIFECYCLE_SHORTHAND_KEYS } from './lifecycle-shorthand.js';
export type { LifecyclePolicy, LifecycleRule, LifecycleSelection } from './lifecycle-types.js';
export { validateLifecyclePolicy } from './lifecycle-validate.js';
export { PolicyError } from './policy-error.js';
export type { ReadFile } from './policy-source.js';
export {
  compilePullAccounts,
  PULL_ACTIONS,
  resolveRepositoryPolicy,
  type ResolvedRepositoryPolicy,
} from './repository-policy.js';
export {
  validateRepositoryPolicy,
  type RepositoryPolicy,
  type RepositoryPolicyStatement,
} from './repository-policy-validate.js';
export {
  parseRepositorySettings,
  parseTagMutability,
  type EncryptionSetting,
  type RepositorySettings,
  type RepositorySettingsInputs,
} from './repository-settings.js';
export { parseResourceTags, type ResourceTag } from './resource-tags.js';
export {
  createRepositoryRequest,
  planRepositoryUpdate,
  type RepositoryState,
  type RepositoryUpdate,
} from './repository-update.js';
export {
  isTagImmutable,
  TAG_MUTABILITIES,
  type TagMutability,
  type TagMutabilitySetting,
} from './tag-mutability.js';
export { countWildcards, matchesAnyWildcard, matchesWildcard } from './wildcard.js';
