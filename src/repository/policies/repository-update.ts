/** The CreateRepository request for new repositories and the writes an existing one needs to match the settings. Pure. */
import type { CreateRepositoryRequest } from '@aws-sdk/client-ecr';
import type { RepositorySettings } from './repository-settings.js';
import type { TagMutabilitySetting } from './tag-mutability.js';

/** The parts of an existing repository (from DescribeRepositories) that settings can differ from. */
export interface RepositoryState {
  tagMutability: TagMutabilitySetting;
  scanOnPush: boolean;
  encryption: { type: string; kmsKey?: string };
}

/** The write calls an existing repository needs; empty when it already matches, so a re-run writes nothing. */
export interface RepositoryUpdate {
  /** Call PutImageTagMutability with this. */
  tagMutability?: TagMutabilitySetting;
  /** Call PutImageScanningConfiguration with this. */
  scanOnPush?: boolean;
  /** Differences no call can fix (encryption is fixed at creation), to show as warnings. */
  notices: string[];
}

/** CreateRepository's request for a repository that does not exist yet; unset settings stay ECR's defaults. */
export function createRepositoryRequest(
  repositoryName: string,
  settings: RepositorySettings,
  registryId?: string,
): CreateRepositoryRequest {
  const { tagMutability, scanOnPush, encryption, resourceTags } = settings;
  return {
    repositoryName,
    ...(registryId !== undefined && { registryId }),
    ...(tagMutability && { imageTagMutability: tagMutability.mutability }),
    ...(tagMutability &&
      tagMutability.exclusionFilters.length > 0 && {
        imageTagMutabilityExclusionFilters: tagMutability.exclusionFilters.map((filter) => ({
          filter,
          filterType: 'WILDCARD',
        })),
      }),
    ...(scanOnPush !== undefined && { imageScanningConfiguration: { scanOnPush } }),
    ...(encryption && {
      encryptionConfiguration: {
        encryptionType: encryption.type,
        ...(encryption.type === 'KMS' && encryption.kmsKey && { kmsKey: encryption.kmsKey.value }),
      },
    }),
    ...(resourceTags.length > 0 && {
      tags: resourceTags.map(({ key, value }) => ({ Key: key, Value: value })),
    }),
  };
}

/** Compares what the user set with what the repository has; settings the user left unset are never touched. */
export function planRepositoryUpdate(
  settings: RepositorySettings,
  current: RepositoryState,
): RepositoryUpdate {
  const update: RepositoryUpdate = { notices: [] };
  if (settings.tagMutability && !sameMutability(settings.tagMutability, current.tagMutability)) {
    update.tagMutability = settings.tagMutability;
  }
  if (settings.scanOnPush !== undefined && settings.scanOnPush !== current.scanOnPush) {
    update.scanOnPush = settings.scanOnPush;
  }
  const encryptionNotice = encryptionDifference(settings, current);
  if (encryptionNotice) update.notices.push(encryptionNotice);
  return update;
}

function sameMutability(a: TagMutabilitySetting, b: TagMutabilitySetting): boolean {
  if (a.mutability !== b.mutability) return false;
  const left = [...a.exclusionFilters].sort();
  const right = [...b.exclusionFilters].sort();
  return left.length === right.length && left.every((filter, index) => filter === right[index]);
}

function encryptionDifference(settings: RepositorySettings, current: RepositoryState): string | undefined {
  const wanted = settings.encryption;
  if (!wanted) return undefined;
  const fix =
    'ECR fixes encryption when it creates a repository; to change it, create a new repository and push there';
  if (wanted.type !== current.encryption.type) {
    return `The repository is encrypted with ${current.encryption.type}, not ${wanted.type} as 'encryption' asks. ${fix}.`;
  }
  // Only a key ARN or key ID can be compared: an alias names whatever key it points to today.
  const key = wanted.type === 'KMS' ? wanted.kmsKey : undefined;
  const wantedKeyId = key?.form === 'key-arn' || key?.form === 'key-id' ? key.keyId : undefined;
  const currentKey = current.encryption.kmsKey;
  if (wantedKeyId !== undefined && currentKey !== undefined && !currentKey.endsWith(`key/${wantedKeyId}`)) {
    return `The repository is encrypted with the KMS key ${currentKey}, not ${key?.value ?? ''} as 'kms-key' asks. ${fix}.`;
  }
  return undefined;
}
