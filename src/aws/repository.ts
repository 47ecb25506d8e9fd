/**
 * The ECR repository itself: find it, create it when the workflow asks, and bring an existing one's settings
 * in line. Also the plumbing every repository adapter shares: which repository a call is about, and how a
 * failed call becomes one line naming the denied IAM action.
 */
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  type ECRClient,
  type Repository,
} from '@aws-sdk/client-ecr';
import { ActionError } from '../shared/errors.js';
import {
  createRepositoryRequest,
  planRepositoryUpdate,
  TAG_MUTABILITIES,
  type RepositorySettings,
  type RepositoryState,
  type RepositoryUpdate,
  type TagMutabilitySetting,
} from '../repository/policies/index.js';
import { describeAwsError, type PolicyForAction } from './errors.js';

/** Which repository a call is about, and how to explain a denial. */
export interface RepositoryTarget {
  name: string;
  /** The registry's account ID; absent means the registry of the account the credentials belong to. */
  registryId?: string;
  /** The minimal IAM policy granting an action, quoted when AWS denies it. */
  policyFor: PolicyForAction;
}

/** An existing repository: its settings plus what pushing and the outputs need. */
export interface RepositoryDescription extends RepositoryState {
  name: string;
  uri: string;
  arn: string;
  registryId: string;
}

export interface EnsureRepositoryOptions extends RepositoryTarget {
  settings: RepositorySettings;
  /** The `create-repository` input: create the repository when it does not exist. */
  create: boolean;
}

export interface EnsuredRepository {
  /** The repository as it is after this step, updates included. */
  repository: RepositoryDescription;
  created: boolean;
  /** The settings written to an existing repository; empty when it already matched (a re-run). */
  updated: Omit<RepositoryUpdate, 'notices'>;
  /** Differences no call can fix (encryption), for the caller to log as warnings. */
  notices: string[];
}

/** The repository, or undefined when it does not exist. */
export async function describeRepository(
  client: ECRClient,
  target: RepositoryTarget,
): Promise<RepositoryDescription | undefined> {
  const response = await ecrCallExpecting(
    client,
    target,
    'ecr:DescribeRepositories',
    'RepositoryNotFoundException',
    () =>
      client.send(
        new DescribeRepositoriesCommand({ repositoryNames: [target.name], ...registryIdOf(target) }),
      ),
  );
  const found = response?.repositories?.find((repository) => repository.repositoryName === target.name);
  return found && toDescription(found, target);
}

/**
 * Makes sure the repository exists with the settings asked for: creates it (when allowed) or writes only
 * the settings that differ, so a re-run makes no write call.
 */
export async function ensureRepository(
  client: ECRClient,
  options: EnsureRepositoryOptions,
): Promise<EnsuredRepository> {
  const existing = await describeRepository(client, options);
  if (existing) return updateRepository(client, options, existing);
  if (!options.create) throw missingRepositoryError(options, await regionOf(client));

  const created = await ecrCallExpecting(
    client,
    options,
    'ecr:CreateRepository',
    'RepositoryAlreadyExistsException',
    () =>
      client.send(
        new CreateRepositoryCommand(
          createRepositoryRequest(options.name, options.settings, options.registryId),
        ),
      ),
  );
  if (created?.repository) {
    return {
      repository: toDescription(created.repository, options),
      created: true,
      updated: {},
      notices: [],
    };
  }
  // Another job (a matrix leg, a parallel workflow) created it between our describe and create: use it.
  const theirs = await describeRepository(client, options);
  if (!theirs) {
    throw new ActionError(
      `ECR reported that the repository ${options.name} already exists, yet does not describe it in ${await regionOf(client)}; run the job again.`,
    );
  }
  return updateRepository(client, options, theirs);
}

async function updateRepository(
  client: ECRClient,
  options: EnsureRepositoryOptions,
  current: RepositoryDescription,
): Promise<EnsuredRepository> {
  const { notices, ...updated } = planRepositoryUpdate(options.settings, current);
  const { tagMutability, scanOnPush } = updated;
  if (tagMutability) {
    await ecrCall(client, options, 'ecr:PutImageTagMutability', () =>
      client.send(
        new PutImageTagMutabilityCommand({
          ...repositoryIdOf(options),
          imageTagMutability: tagMutability.mutability,
          ...exclusionFiltersOf(tagMutability),
        }),
      ),
    );
  }
  if (scanOnPush !== undefined) {
    await ecrCall(client, options, 'ecr:PutImageScanningConfiguration', () =>
      client.send(
        new PutImageScanningConfigurationCommand({
          ...repositoryIdOf(options),
          imageScanningConfiguration: { scanOnPush },
        }),
      ),
    );
  }
  const repository: RepositoryDescription = {
    ...current,
    ...(tagMutability && { tagMutability }),
    ...(scanOnPush !== undefined && { scanOnPush }),
  };
  return { repository, created: false, updated, notices };
}

function missingRepositoryError(target: RepositoryTarget, region: string): ActionError {
  const registry = target.registryId
    ? `registry ${target.registryId}`
    : 'the registry of the AWS account in use';
  return new ActionError(
    `The repository ${target.name} does not exist in ${registry} in ${region}: set 'create-repository: true' ` +
      `to let this step create it, or create it before this step.`,
  );
}

function toDescription(repository: Repository, target: RepositoryTarget): RepositoryDescription {
  const { repositoryUri, repositoryArn, registryId } = repository;
  if (!repositoryUri || !repositoryArn || !registryId) {
    throw new ActionError(`ECR described the repository ${target.name} without its URI, ARN or registry ID.`);
  }
  const encryption = repository.encryptionConfiguration;
  return {
    name: repository.repositoryName ?? target.name,
    uri: repositoryUri,
    arn: repositoryArn,
    registryId,
    tagMutability: tagMutabilityOf(repository, target),
    scanOnPush: repository.imageScanningConfiguration?.scanOnPush ?? false,
    // ECR leaves encryptionConfiguration out for repositories made before it had one: those use AES256.
    encryption: {
      type: encryption?.encryptionType ?? 'AES256',
      ...(encryption?.kmsKey !== undefined && { kmsKey: encryption.kmsKey }),
    },
  };
}

function tagMutabilityOf(repository: Repository, target: RepositoryTarget): TagMutabilitySetting {
  const reported = repository.imageTagMutability ?? 'MUTABLE';
  const mutability = TAG_MUTABILITIES.find((known) => known === reported);
  // Planning tags against a setting we cannot read could move a tag ECR keeps, or skip one it allows.
  if (!mutability) {
    throw new ActionError(
      `ECR reports the tag mutability ${reported} for the repository ${target.name}, which this version of the action does not know; update the action.`,
    );
  }
  const exclusionFilters = (repository.imageTagMutabilityExclusionFilters ?? []).flatMap(({ filter }) =>
    filter === undefined ? [] : [filter],
  );
  return { mutability, exclusionFilters };
}

function exclusionFiltersOf(setting: TagMutabilitySetting) {
  // ECR refuses filters on MUTABLE and IMMUTABLE, so send the field only when there are some.
  if (setting.exclusionFilters.length === 0) return {};
  return {
    imageTagMutabilityExclusionFilters: setting.exclusionFilters.map((filter) => ({
      filter,
      filterType: 'WILDCARD' as const,
    })),
  };
}

/** `{ registryId }` when the target names a registry, else nothing (the credentials' own registry). */
export function registryIdOf(target: RepositoryTarget): { registryId?: string } {
  return target.registryId === undefined ? {} : { registryId: target.registryId };
}

/** The repositoryName / registryId pair most repository calls take. */
export function repositoryIdOf(target: RepositoryTarget): { repositoryName: string; registryId?: string } {
  return { repositoryName: target.name, ...registryIdOf(target) };
}

/** Runs one ECR call about `target`; a failure becomes a one-line ActionError naming `action`. */
export async function ecrCall<T>(
  client: ECRClient,
  target: RepositoryTarget,
  action: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw await explainEcrError(client, error, action, target);
  }
}

/**
 * Like ecrCall, but the error named `expected` (say LifecyclePolicyNotFoundException: there is none yet)
 * is an answer, undefined, rather than a failure.
 */
export async function ecrCallExpecting<T>(
  client: ECRClient,
  target: RepositoryTarget,
  action: string,
  expected: string,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === expected) return undefined;
    throw await explainEcrError(client, error, action, target);
  }
}

async function explainEcrError(
  client: ECRClient,
  error: unknown,
  action: string,
  target: RepositoryTarget,
): Promise<Error> {
  // Read back from the client the caller built with clientOptions, so no call needs them passed again.
  const [region, maxAttempts] = await Promise.all([regionOf(client), client.config.maxAttempts()]);
  const registry = target.registryId ? ` of registry ${target.registryId}` : '';
  return describeAwsError(error, {
    action,
    where: `${region} (repository ${target.name}${registry})`,
    maxAttempts,
    policyFor: target.policyFor,
  });
}

async function regionOf(client: ECRClient): Promise<string> {
  return client.config.region();
}
