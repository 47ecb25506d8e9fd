/** The repository settings inputs (mutability, scanning, encryption, resource tags), parsed and checked together. Pure. */
import { InputError } from '../../shared/errors.js';
import { parseList } from '../../shared/lists.js';
import { parseKmsKey, type KmsKeyRef } from './kms-key.js';
import { parseResourceTags, type ResourceTag } from './resource-tags.js';
import {
  EXCLUSION_FILTER,
  hasExclusions,
  MAX_EXCLUSION_FILTERS,
  TAG_MUTABILITIES,
  type TagMutability,
  type TagMutabilitySetting,
} from './tag-mutability.js';

/** The repository inputs as the workflow gives them; empty means "not set". */
export interface RepositorySettingsInputs {
  tagMutability: string;
  tagMutabilityExclusions: string;
  scanOnPush: string;
  encryption: string;
  kmsKey: string;
  repositoryTags: string;
}

export type EncryptionSetting = { type: 'AES256' } | { type: 'KMS'; kmsKey?: KmsKeyRef };

/**
 * What the user asked of the repository. A setting left out is not managed: a new repository gets ECR's
 * default for it and an existing repository keeps what it has.
 */
export interface RepositorySettings {
  tagMutability?: TagMutabilitySetting;
  scanOnPush?: boolean;
  /** ECR fixes encryption when it creates a repository; it cannot be changed later. */
  encryption?: EncryptionSetting;
  /** AWS resource tags, applied when the action creates the repository. */
  resourceTags: ResourceTag[];
}

export function parseRepositorySettings(inputs: RepositorySettingsInputs): RepositorySettings {
  const tagMutability = parseTagMutabilitySetting(inputs.tagMutability, inputs.tagMutabilityExclusions);
  const scanOnPush = parseScanOnPush(inputs.scanOnPush);
  const encryption = parseEncryption(inputs.encryption, inputs.kmsKey);
  return {
    ...(tagMutability && { tagMutability }),
    ...(scanOnPush !== undefined && { scanOnPush }),
    ...(encryption && { encryption }),
    resourceTags: parseResourceTags(inputs.repositoryTags),
  };
}

export function parseTagMutability(text: string): TagMutability {
  const canonical = text.trim().toUpperCase().replace(/-/g, '_');
  const found = TAG_MUTABILITIES.find((value) => value === canonical);
  if (!found) {
    throw new InputError('tag-mutability', text.trim(), `use one of ${TAG_MUTABILITIES.join(', ')}`);
  }
  return found;
}

function parseTagMutabilitySetting(
  mutabilityText: string,
  exclusionsText: string,
): TagMutabilitySetting | undefined {
  const filters = [...new Set(parseList(exclusionsText))];
  if (mutabilityText.trim() === '') {
    if (filters.length > 0) {
      throw new InputError(
        'tag-mutability-exclusions',
        exclusionsText.trim(),
        'exclusion filters need tag-mutability IMMUTABLE_WITH_EXCLUSION (filters name the tags that may move) or MUTABLE_WITH_EXCLUSION (filters name the tags that may not)',
      );
    }
    return undefined;
  }
  const mutability = parseTagMutability(mutabilityText);
  if (!hasExclusions(mutability)) {
    if (filters.length > 0) {
      throw new InputError(
        'tag-mutability-exclusions',
        exclusionsText.trim(),
        `filters only apply with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION; tag-mutability is ${mutability}, so remove them or change tag-mutability`,
      );
    }
    return { mutability, exclusionFilters: [] };
  }
  if (filters.length === 0) {
    throw new InputError(
      'tag-mutability-exclusions',
      '',
      `${mutability} needs 1-${MAX_EXCLUSION_FILTERS} wildcard filters, e.g. 'latest, dev-*'`,
    );
  }
  for (const filter of filters) {
    if (!EXCLUSION_FILTER.test(filter)) {
      throw new InputError(
        'tag-mutability-exclusions',
        filter,
        'a filter is 1-128 characters of letters, digits, . _ - and the wildcard *',
      );
    }
  }
  if (filters.length > MAX_EXCLUSION_FILTERS) {
    throw new InputError(
      'tag-mutability-exclusions',
      exclusionsText.trim(),
      `ECR allows at most ${MAX_EXCLUSION_FILTERS} filters, this gives ${filters.length}; merge some with wildcards`,
    );
  }
  return { mutability, exclusionFilters: filters };
}

function parseScanOnPush(text: string): boolean | undefined {
  const value = text.trim().toLowerCase();
  if (value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError('scan-on-push', text.trim(), 'use true or false');
}

function parseEncryption(typeText: string, kmsKeyText: string): EncryptionSetting | undefined {
  const type = typeText.trim().toUpperCase();
  const kmsKey = kmsKeyText.trim();
  if (type === '' && kmsKey === '') return undefined;
  if (type === 'KMS') return kmsKey === '' ? { type } : { type, kmsKey: parseKmsKey(kmsKey) };
  if (type === 'AES256' || type === '') {
    if (kmsKey !== '') {
      throw new InputError(
        'kms-key',
        kmsKey,
        'a KMS key is used only with encryption: KMS; set encryption to KMS',
      );
    }
    return { type: 'AES256' };
  }
  throw new InputError(
    'encryption',
    typeText.trim(),
    'use AES256 (the default, keys managed by ECR) or KMS (with kms-key, or without it for the AWS managed key aws/ecr)',
  );
}
