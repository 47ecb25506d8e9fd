/** ECR lifecycle policy documents, as ECR's PutLifecyclePolicy takes them. */

export const TAG_STATUSES = ['tagged', 'untagged', 'any'] as const;
export const COUNT_TYPES = [
  'imageCountMoreThan',
  'sinceImagePushed',
  'sinceImagePulled',
  'sinceImageTransitioned',
] as const;
export const COUNT_UNITS = ['days'] as const;
export const STORAGE_CLASSES = ['standard', 'archive'] as const;
export const ACTION_TYPES = ['expire', 'transition'] as const;

export type TagStatus = (typeof TAG_STATUSES)[number];
export type CountType = (typeof COUNT_TYPES)[number];

export interface LifecycleSelection {
  tagStatus: TagStatus;
  tagPrefixList?: string[];
  tagPatternList?: string[];
  storageClass?: (typeof STORAGE_CLASSES)[number];
  countType: CountType;
  countUnit?: (typeof COUNT_UNITS)[number];
  countNumber: number;
}

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: LifecycleSelection;
  action: { type: (typeof ACTION_TYPES)[number]; targetStorageClass?: 'archive' };
}

export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

/** PutLifecyclePolicy's limit on the policy text. */
export const MAX_LIFECYCLE_POLICY_LENGTH = 30720;
/** ECR's limit on `*` in one tagPatternList entry. */
export const MAX_PATTERN_WILDCARDS = 4;
