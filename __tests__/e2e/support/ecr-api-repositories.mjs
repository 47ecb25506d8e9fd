// The stand-in's repositories: kept in memory per (account, region), with the operations that read and
// change them (DescribeRepositories, CreateRepository, tag mutability, scan on push, lifecycle and
// repository policies). Checks follow ECR's own, so a request ECR would refuse fails here too.
import { errors } from './ecr-api-errors.mjs';

export const TAG_MUTABILITIES = [
  'MUTABLE',
  'IMMUTABLE',
  'IMMUTABLE_WITH_EXCLUSION',
  'MUTABLE_WITH_EXCLUSION',
];
const ENCRYPTION_TYPES = ['AES256', 'KMS', 'KMS_DSSE'];
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const EXCLUSION_FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;
const MAX_EXCLUSION_FILTERS = 5;
const MAX_TAGS = 50;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;
/** What a test may set through api.repository(); anything else is a typo in the test. */
const SEEDABLE = [
  'imageTagMutability',
  'exclusionFilters',
  'scanOnPush',
  'encryption',
  'tags',
  'lifecyclePolicy',
  'repositoryPolicy',
];

function partitionOf(region) {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The repositories of every account and region.
 * @param {{ registryHost: (accountId: string, region: string) => string }} options the host of an
 *   account's registry, for repository URIs
 */
export function createRepositoryStore({ registryHost }) {
  const repositories = new Map();
  const keyOf = (accountId, region, name) => `${accountId}/${region}/${name}`;

  function create(accountId, region, name, settings = {}) {
    const record = {
      accountId,
      region,
      name,
      arn: `arn:${partitionOf(region)}:ecr:${region}:${accountId}:repository/${name}`,
      uri: `${registryHost(accountId, region)}/${name}`,
      createdAt: new Date(),
      imageTagMutability: 'MUTABLE',
      exclusionFilters: [],
      scanOnPush: false,
      encryption: { encryptionType: 'AES256' },
      tags: [],
      lifecyclePolicy: undefined,
      repositoryPolicy: undefined,
      /** Images that live only here (seeded by tests), by digest. */
      images: new Map(),
      /**
       * Digests read from the registry behind the account, with when they were first seen: the registry
       * cannot list untagged manifests, so one that loses its last tag is found again through this.
       */
      seenDigests: new Map(),
      ...settings,
    };
    repositories.set(keyOf(accountId, region, name), record);
    return record;
  }

  return {
    get: (accountId, region, name) => repositories.get(keyOf(accountId, region, name)),
    list: (accountId, region) =>
      [...repositories.values()]
        .filter((record) => record.accountId === accountId && record.region === region)
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    create,
    /** Creates the repository or changes the given settings of an existing one (for tests). */
    seed(accountId, region, name, settings = {}) {
      const unknown = Object.keys(settings).filter((key) => !SEEDABLE.includes(key));
      if (unknown.length > 0) throw new Error(`unknown repository setting(s): ${unknown.join(', ')}`);
      const existing = repositories.get(keyOf(accountId, region, name));
      return existing ? Object.assign(existing, settings) : create(accountId, region, name, settings);
    },
  };
}

/** The account (registryId, else the default account), region and repository a call is about. */
export function locate(ctx) {
  const { registryId, repositoryName } = ctx.body;
  if (registryId !== undefined && !/^\d{12}$/.test(registryId)) {
    throw errors.invalidParameter(
      `Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression pattern: [0-9]{12}'`,
    );
  }
  const accountId = registryId ?? ctx.state.defaultAccount;
  if (ctx.state.unknownAccounts === 'deny' && !ctx.state.knownAccount(accountId, ctx.region)) {
    throw errors.accessDenied(ctx.operation);
  }
  return { accountId, region: ctx.region, name: repositoryName };
}

/** The repository the call names; RepositoryNotFoundException when there is none. */
export function requireRepository(ctx) {
  const { accountId, region, name } = locate(ctx);
  const record = ctx.state.repositories.get(accountId, region, name);
  if (!record) throw errors.repositoryNotFound(name, accountId);
  return record;
}

/** The repository as the API shows it (DescribeRepositories, CreateRepository). */
export function repositoryView(record) {
  return {
    repositoryArn: record.arn,
    registryId: record.accountId,
    repositoryName: record.name,
    repositoryUri: record.uri,
    createdAt: record.createdAt.getTime() / 1000,
    imageTagMutability: record.imageTagMutability,
    ...(record.exclusionFilters.length > 0 && {
      imageTagMutabilityExclusionFilters: record.exclusionFilters.map((filter) => ({
        filter,
        filterType: 'WILDCARD',
      })),
    }),
    imageScanningConfiguration: { scanOnPush: record.scanOnPush },
    encryptionConfiguration: { ...record.encryption },
  };
}

/**
 * One page of `items` for a call's maxResults / nextToken. Tokens are opaque to the client, as in AWS;
 * here they hold the offset of the next item.
 */
export function paginate(items, { maxResults, nextToken }, defaultSize = DEFAULT_PAGE_SIZE) {
  if (
    maxResults !== undefined &&
    (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_PAGE_SIZE)
  ) {
    throw errors.invalidParameter(
      `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and ${MAX_PAGE_SIZE}'`,
    );
  }
  const start = nextToken === undefined ? 0 : offsetOf(nextToken);
  const page = items.slice(start, start + (maxResults ?? defaultSize));
  const end = start + page.length;
  return {
    page,
    ...(end < items.length && { nextToken: Buffer.from(JSON.stringify({ end })).toString('base64url') }),
  };
}

function offsetOf(token) {
  try {
    const { end } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Number.isInteger(end) && end >= 0) return end;
  } catch {
    // reported below
  }
  throw errors.invalidParameter('Invalid parameter: nextToken is not a token this API returned');
}

function requireName(name) {
  if (typeof name !== 'string' || name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
    throw errors.invalidParameter(
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression pattern: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'`,
    );
  }
}

/** imageTagMutability and its filters, checked as ECR does: filters with the *_WITH_EXCLUSION ones only. */
function tagMutability(body, { required }) {
  const mutability = body.imageTagMutability ?? (required ? undefined : 'MUTABLE');
  if (!TAG_MUTABILITIES.includes(mutability)) {
    throw errors.invalidParameter(
      `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [${TAG_MUTABILITIES.join(', ')}]'`,
    );
  }
  const filters = body.imageTagMutabilityExclusionFilters ?? [];
  const withExclusion = mutability.endsWith('_WITH_EXCLUSION');
  if (withExclusion && filters.length === 0) {
    throw errors.invalidParameter(`imageTagMutabilityExclusionFilters are required with ${mutability}`);
  }
  if (!withExclusion && filters.length > 0) {
    throw errors.invalidParameter(`imageTagMutabilityExclusionFilters are not allowed with ${mutability}`);
  }
  if (filters.length > MAX_EXCLUSION_FILTERS) {
    throw errors.invalidParameter(
      `At most ${MAX_EXCLUSION_FILTERS} imageTagMutabilityExclusionFilters are allowed`,
    );
  }
  for (const { filter, filterType } of filters) {
    if (filterType !== 'WILDCARD' || typeof filter !== 'string' || !EXCLUSION_FILTER.test(filter)) {
      throw errors.invalidParameter(
        `Invalid image tag mutability exclusion filter: ${JSON.stringify(filter)}`,
      );
    }
  }
  return { imageTagMutability: mutability, exclusionFilters: filters.map(({ filter }) => filter) };
}

function encryption(configuration) {
  if (configuration === undefined) return { encryptionType: 'AES256' };
  const { encryptionType, kmsKey } = configuration;
  if (!ENCRYPTION_TYPES.includes(encryptionType)) {
    throw errors.invalidParameter(
      `Invalid parameter at 'encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: [${ENCRYPTION_TYPES.join(', ')}]'`,
    );
  }
  if (kmsKey !== undefined && encryptionType === 'AES256') {
    throw errors.invalidParameter('A KMS key can only be given with the KMS encryption types');
  }
  return { encryptionType, ...(kmsKey !== undefined && { kmsKey }) };
}

function resourceTags(tags = []) {
  if (tags.length > MAX_TAGS)
    throw errors.invalidTagParameter(`A resource can have at most ${MAX_TAGS} tags`);
  const keys = new Set();
  for (const { Key, Value } of tags) {
    if (typeof Key !== 'string' || Key === '' || typeof Value !== 'string' || keys.has(Key)) {
      throw errors.invalidTagParameter(`Invalid tag: ${JSON.stringify({ Key, Value })}`);
    }
    keys.add(Key);
  }
  return tags.map(({ Key, Value }) => ({ Key, Value }));
}

/**
 * Policy text as ECR keeps it: ECR hands back its own layout rather than the bytes it was given, so
 * the stored text differs from ours in white space and a re-run has to compare by meaning.
 */
function storedPolicy(text, field, check) {
  let policy;
  try {
    policy = JSON.parse(text);
  } catch {
    throw errors.invalidParameter(
      `Invalid parameter at '${field}' failed to satisfy constraint: 'Invalid JSON'`,
    );
  }
  const problem = check(policy);
  if (problem)
    throw errors.invalidParameter(
      `Invalid parameter at '${field}' failed to satisfy constraint: '${problem}'`,
    );
  return JSON.stringify(policy, null, 2);
}

const lifecycleProblem = (policy) =>
  Array.isArray(policy?.rules) && policy.rules.length > 0
    ? null
    : 'Lifecycle policy validation failure: rules required';
const repositoryPolicyProblem = (policy) =>
  Array.isArray(policy?.Statement) || typeof policy?.Statement === 'object'
    ? null
    : 'Invalid repository policy provided: Statement required';

export const repositoryHandlers = {
  DescribeRepositories(ctx) {
    const { accountId, region } = locate(ctx);
    const names = ctx.body.repositoryNames;
    if (names !== undefined) {
      if (ctx.body.nextToken !== undefined || ctx.body.maxResults !== undefined) {
        throw errors.invalidParameter('nextToken and maxResults cannot be used with repositoryNames');
      }
      const found = names.map((name) => {
        const record = ctx.state.repositories.get(accountId, region, name);
        if (!record) throw errors.repositoryNotFound(name, accountId);
        return record;
      });
      return { repositories: found.map(repositoryView) };
    }
    const { page, nextToken } = paginate(ctx.state.repositories.list(accountId, region), ctx.body);
    return { repositories: page.map(repositoryView), ...(nextToken && { nextToken }) };
  },

  CreateRepository(ctx) {
    const { accountId, region, name } = locate(ctx);
    requireName(name);
    const settings = {
      ...tagMutability(ctx.body, { required: false }),
      scanOnPush: ctx.body.imageScanningConfiguration?.scanOnPush ?? false,
      encryption: encryption(ctx.body.encryptionConfiguration),
      tags: resourceTags(ctx.body.tags),
    };
    if (ctx.state.repositories.get(accountId, region, name)) {
      throw errors.repositoryAlreadyExists(name, accountId);
    }
    return { repository: repositoryView(ctx.state.repositories.create(accountId, region, name, settings)) };
  },

  PutImageTagMutability(ctx) {
    const record = requireRepository(ctx);
    Object.assign(record, tagMutability(ctx.body, { required: true }));
    const view = repositoryView(record);
    return {
      registryId: record.accountId,
      repositoryName: record.name,
      imageTagMutability: view.imageTagMutability,
      ...(view.imageTagMutabilityExclusionFilters && {
        imageTagMutabilityExclusionFilters: view.imageTagMutabilityExclusionFilters,
      }),
    };
  },

  PutImageScanningConfiguration(ctx) {
    const record = requireRepository(ctx);
    const scanOnPush = ctx.body.imageScanningConfiguration?.scanOnPush;
    if (typeof scanOnPush !== 'boolean') {
      throw errors.invalidParameter('imageScanningConfiguration.scanOnPush is required');
    }
    record.scanOnPush = scanOnPush;
    return {
      registryId: record.accountId,
      repositoryName: record.name,
      imageScanningConfiguration: { scanOnPush },
    };
  },

  GetLifecyclePolicy(ctx) {
    const record = requireRepository(ctx);
    if (record.lifecyclePolicy === undefined)
      throw errors.lifecyclePolicyNotFound(record.name, record.accountId);
    return {
      registryId: record.accountId,
      repositoryName: record.name,
      lifecyclePolicyText: record.lifecyclePolicy,
    };
  },

  PutLifecyclePolicy(ctx) {
    const record = requireRepository(ctx);
    record.lifecyclePolicy = storedPolicy(
      ctx.body.lifecyclePolicyText,
      'lifecyclePolicyText',
      lifecycleProblem,
    );
    return {
      registryId: record.accountId,
      repositoryName: record.name,
      lifecyclePolicyText: record.lifecyclePolicy,
    };
  },

  GetRepositoryPolicy(ctx) {
    const record = requireRepository(ctx);
    if (record.repositoryPolicy === undefined)
      throw errors.repositoryPolicyNotFound(record.name, record.accountId);
    return { registryId: record.accountId, repositoryName: record.name, policyText: record.repositoryPolicy };
  },

  SetRepositoryPolicy(ctx) {
    const record = requireRepository(ctx);
    record.repositoryPolicy = storedPolicy(ctx.body.policyText, 'policyText', repositoryPolicyProblem);
    return { registryId: record.accountId, repositoryName: record.name, policyText: record.repositoryPolicy };
  },
};
