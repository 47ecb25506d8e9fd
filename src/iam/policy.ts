/**
 * The least-privilege IAM policy for exactly the features a configuration uses, and a plain explanation when
 * AWS denies a call. Pure: the adapters decide which features are in use and print the result.
 */
import type { KmsKeyRef } from '../repository/policies/kms-key.js';
import { partitionOf, repositoryArn } from '../repository/policies/arn.js';

export { partitionOf, repositoryArn } from '../repository/policies/arn.js';

/** A private ECR repository; `name` may end in `*` to cover a namespace (`team/*`). */
export interface RepositoryRef {
  region: string;
  accountId: string;
  name: string;
}

/** What a configuration does; each flag adds only the actions that feature calls. */
export interface IamFeatures {
  /** Log in to private registries (GetAuthorizationToken); implied by push and pullFrom. */
  login?: boolean;
  /** Log in to ECR Public (public.ecr.aws). */
  ecrPublic?: boolean;
  /** The repositories pushed to and managed; every repository feature below applies to them. */
  repositories?: RepositoryRef[];
  push?: boolean;
  /** Read the repository and its images to plan tags (DescribeRepositories, DescribeImages). */
  describe?: boolean;
  createRepository?: boolean;
  /** Resource tags given to a repository the action creates. */
  repositoryTags?: boolean;
  /** Bring tag mutability and scan-on-push of an existing repository in line. */
  updateSettings?: boolean;
  lifecyclePolicy?: boolean;
  repositoryPolicy?: boolean;
  cleanup?: boolean;
  /** Poll ECR's replication of the pushed image (wait-for-replication). */
  replication?: boolean;
  /** Read (and start) the pushed image's scan: the scan gate. */
  scan?: boolean;
  /** The customer managed key a created repository is encrypted with (encryption: KMS with kms-key). */
  kmsKey?: KmsKeyRef;
  /** Private repositories the build pulls base images from. */
  pullFrom?: RepositoryRef[];
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Each feature's actions, sorted; exported so docs and tests quote the same lists. */
export const FEATURE_ACTIONS = {
  login: ['ecr:GetAuthorizationToken'],
  ecrPublic: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'],
  pull: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  push: [
    'ecr:BatchCheckLayerAvailability',
    'ecr:BatchGetImage',
    'ecr:CompleteLayerUpload',
    'ecr:InitiateLayerUpload',
    'ecr:PutImage',
    'ecr:UploadLayerPart',
  ],
  describe: ['ecr:DescribeImages', 'ecr:DescribeRepositories'],
  createRepository: ['ecr:CreateRepository'],
  repositoryTags: ['ecr:TagResource'],
  updateSettings: ['ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability'],
  lifecyclePolicy: ['ecr:GetLifecyclePolicy', 'ecr:PutLifecyclePolicy'],
  repositoryPolicy: ['ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy'],
  cleanup: ['ecr:BatchDeleteImage', 'ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:ListImages'],
  replication: ['ecr:DescribeImageReplicationStatus'],
  scan: ['ecr:DescribeImageScanFindings', 'ecr:StartImageScan'],
  // ECR checks the key and creates grants on it with the caller's rights when it creates the repository.
  kms: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'],
} as const satisfies Record<string, readonly string[]>;

export function minimalIamPolicy(features: IamFeatures): PolicyDocument {
  const repositories = features.repositories ?? [];
  const pullFrom = features.pullFrom ?? [];
  const usesRepositories = [
    features.push,
    features.describe,
    features.createRepository,
    features.updateSettings,
    features.lifecyclePolicy,
    features.repositoryPolicy,
    features.cleanup,
  ].some(Boolean);
  if (usesRepositories && repositories.length === 0) {
    throw new Error('minimalIamPolicy: repository features need at least one repository');
  }
  const targets = unique(repositories.map((repo) => repositoryArn(repo.region, repo.accountId, repo.name)));
  const statements: PolicyStatement[] = [];
  const add = (
    Sid: string,
    on: boolean | undefined,
    actions: readonly string[],
    resources: string[],
  ): void => {
    if (on) statements.push({ Sid, Effect: 'Allow', Action: [...actions], Resource: oneOrMany(resources) });
  };

  // GetAuthorizationToken has no resource to scope to: AWS only accepts "*" for it.
  add('EcrLogin', features.login || features.push || pullFrom.length > 0, FEATURE_ACTIONS.login, ['*']);
  add('EcrPublicLogin', features.ecrPublic, FEATURE_ACTIONS.ecrPublic, ['*']);
  add(
    'PullBaseImages',
    pullFrom.length > 0,
    FEATURE_ACTIONS.pull,
    unique(pullFrom.map((repo) => repositoryArn(repo.region, repo.accountId, repo.name))),
  );
  add('PushImages', features.push, FEATURE_ACTIONS.push, targets);
  add('DescribeRepository', features.describe, FEATURE_ACTIONS.describe, targets);
  add(
    'CreateRepository',
    features.createRepository,
    sorted([
      ...FEATURE_ACTIONS.createRepository,
      ...(features.repositoryTags ? FEATURE_ACTIONS.repositoryTags : []),
    ]),
    targets,
  );
  add('UpdateRepositorySettings', features.updateSettings, FEATURE_ACTIONS.updateSettings, targets);
  add('ManageLifecyclePolicy', features.lifecyclePolicy, FEATURE_ACTIONS.lifecyclePolicy, targets);
  add('ManageRepositoryPolicy', features.repositoryPolicy, FEATURE_ACTIONS.repositoryPolicy, targets);
  add('CleanUpImages', features.cleanup, FEATURE_ACTIONS.cleanup, targets);
  add('WaitForReplication', features.replication, FEATURE_ACTIONS.replication, targets);
  add('ScanGate', features.scan, FEATURE_ACTIONS.scan, targets);
  if (features.createRepository && features.kmsKey) {
    statements.push(kmsStatement(features.kmsKey, repositories));
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The key a new repository is encrypted with. A key ARN or ID names the key; an alias cannot be a resource
 * (IAM would read it as the alias itself), so any key carrying that alias is allowed instead.
 */
function kmsStatement(key: KmsKeyRef, repositories: RepositoryRef[]): PolicyStatement {
  const statement = (Resource: string[], Condition?: PolicyStatement['Condition']): PolicyStatement => ({
    Sid: 'EncryptNewRepository',
    Effect: 'Allow',
    Action: [...FEATURE_ACTIONS.kms],
    Resource: oneOrMany(Resource),
    ...(Condition && { Condition }),
  });
  const keyArn = (region: string, accountId: string, id: string): string =>
    `arn:${partitionOf(region)}:kms:${region}:${accountId}:key/${id}`;
  const aliasCondition = (alias: string) => ({
    'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias },
  });
  switch (key.form) {
    case 'key-arn':
      return statement([key.value]);
    case 'key-id':
      return statement(unique(repositories.map((repo) => keyArn(repo.region, repo.accountId, key.keyId))));
    case 'alias-arn':
      return statement(
        [`arn:${key.partition}:kms:${key.region}:${key.accountId}:key/*`],
        aliasCondition(key.alias),
      );
    case 'alias-name':
      return statement(
        unique(repositories.map((repo) => keyArn(repo.region, repo.accountId, '*'))),
        aliasCondition(key.alias),
      );
  }
}

/** The policy as the `iam-policy` output and the README show it. */
export function formatPolicy(document: PolicyDocument): string {
  return JSON.stringify(document, null, 2);
}

export type AwsService = 'ecr' | 'ecr-public' | 'sts' | 'kms';

/**
 * The IAM actions an API operation needs. Operation names may carry the SDK's `Command` suffix. ECR Public's
 * token also needs an STS bearer token, which is the part users most often miss.
 */
export function requiredActionsFor(operation: string, service: AwsService = 'ecr'): string[] {
  const name = operation.replace(/Command$/, '');
  if (service === 'ecr-public' && name === 'GetAuthorizationToken') return [...FEATURE_ACTIONS.ecrPublic];
  return [`${service}:${name}`];
}

export interface AccessDenied {
  /** The API operation that failed, e.g. `PutLifecyclePolicy`. */
  operation: string;
  service?: AwsService;
  /** AWS's error message, which often names the exact action and resource. */
  message?: string;
}

/** One line saying what to grant, for an AccessDenied the adapters catch. */
export function explainAccessDenied(denied: AccessDenied): string {
  const message = denied.message ?? '';
  const named = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message)?.[1];
  const actions = named ? [named] : requiredActionsFor(denied.operation, denied.service);
  const resource = /on resource:?\s+(\S+?)[.,]?(?:\s|$)/i.exec(message)?.[1];
  const target = resource ? ` on ${resource}` : '';
  const grant = actions.map((action) => `'${action}'`).join(' and ');
  if (/explicit deny/i.test(message)) {
    return `AWS denied ${denied.operation}: an explicit Deny (a service control policy, permissions boundary or policy statement) blocks ${grant}${target}; remove that Deny for this role.`;
  }
  return `AWS denied ${denied.operation}: allow ${grant}${target} for the role this job uses. The 'iam-policy' output shows the minimal policy for this configuration.`;
}

function unique(values: string[]): string[] {
  return sorted([...new Set(values)]);
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : values;
}
