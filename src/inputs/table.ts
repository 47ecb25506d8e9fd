/**
 * Every input of the step, written once: its name (action.yml's), section, default, the form of its value,
 * one line of help, and the IAM features it turns on. The action's getInputs reads defaults from here, the
 * CLI derives its options, help and environment variables from here, the inputs that need a `repository`
 * and the iam-policy feature list are derived from here, and a test keeps action.yml equal to it.
 */
import type { IamFeatures } from '../iam/policy.js';
import type { Inputs } from './types.js';

export type InputSection = 'Login' | 'Tags and labels' | 'Repository' | 'Build and push';

export const SECTIONS: readonly InputSection[] = ['Login', 'Tags and labels', 'Repository', 'Build and push'];

/** The form of a value: what the CLI's help shows, and what the generic readers check. */
export type InputValue =
  | { kind: 'boolean' }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'choice'; choices: readonly string[] }
  /** Items separated by commas or newlines (CSV quoting). */
  | { kind: 'list' }
  /** One item per line (items hold commas themselves). */
  | { kind: 'lines' }
  | { kind: 'text' };

/** IAM features an input can turn on; those that carry a value (repositories, a key) get it from the inputs. */
export type IamFeatureName = Exclude<keyof IamFeatures, 'repositories' | 'login'>;

export interface InputSpec {
  name: string;
  section: InputSection;
  /** What an empty value means; action.yml's `default:` is the same text. */
  default?: string;
  value: InputValue;
  /** One line for `ecr-push --help`. */
  help: string;
  /** The CLI takes a bare `--name` as `true` (always so for a boolean). */
  flag?: true;
  /** Setting it manages the ECR repository: it needs `repository` and a private registry. */
  managesRepository?: true;
  /** The IAM features the configuration needs when `when` holds for the parsed inputs. */
  iam?: { features: readonly IamFeatureName[]; when: (inputs: Inputs) => boolean };
}

const BOOLEAN = { kind: 'boolean' } as const;
const TEXT = { kind: 'text' } as const;
const LIST = { kind: 'list' } as const;
const LINES = { kind: 'lines' } as const;
const choice = (...choices: string[]): InputValue => ({ kind: 'choice', choices });

export const INPUTS: readonly InputSpec[] = [
  // Login
  {
    name: 'region',
    section: 'Login',
    value: TEXT,
    help: 'AWS region (default AWS_REGION, then AWS_DEFAULT_REGION)',
  },
  {
    name: 'registries',
    section: 'Login',
    value: LIST,
    help: 'account IDs and/or registry hostnames, comma-separated',
  },
  {
    name: 'registry-type',
    section: 'Login',
    default: 'private',
    value: choice('private', 'public'),
    help: 'private (default) or public (ECR Public)',
    iam: { features: ['ecrPublic'], when: (inputs) => inputs.registryType === 'public' },
  },
  {
    name: 'docker-config',
    section: 'Login',
    default: 'default',
    value: TEXT,
    help: 'default (DOCKER_CONFIG or ~/.docker), isolated, or a directory',
  },
  {
    name: 'mask-password',
    section: 'Login',
    default: 'true',
    value: BOOLEAN,
    help: 'true (default) or false',
  },
  {
    name: 'skip-logout',
    section: 'Login',
    default: 'false',
    value: BOOLEAN,
    help: 'push: leave the credentials in the docker config',
  },
  {
    name: 'http-proxy',
    section: 'Login',
    value: TEXT,
    help: 'proxy for AWS API calls (default HTTPS_PROXY, HTTP_PROXY)',
  },
  {
    name: 'max-attempts',
    section: 'Login',
    default: '5',
    value: { kind: 'integer', min: 1, max: 20 },
    help: 'attempts per AWS call, 1-20 (default 5)',
  },
  // Tags and labels
  {
    name: 'repository',
    section: 'Tags and labels',
    value: TEXT,
    help: 'ECR repository name, such as team/app',
  },
  {
    name: 'tags',
    section: 'Tags and labels',
    value: LINES,
    help: 'tag rules, one per flag or line (default type=sha, type=branch, type=tag)',
  },
  {
    name: 'latest',
    section: 'Tags and labels',
    default: 'auto',
    value: TEXT,
    help: 'auto (default), true, false, or branch names',
  },
  {
    name: 'labels',
    section: 'Tags and labels',
    value: LINES,
    help: 'extra labels, key=value, one per flag or line',
  },
  {
    name: 'created',
    section: 'Tags and labels',
    default: 'commit',
    value: TEXT,
    help: 'created label: commit (default), now, ISO time or Unix seconds',
  },
  // Repository
  {
    name: 'create-repository',
    section: 'Repository',
    default: 'false',
    value: BOOLEAN,
    help: 'create the repository when missing',
    managesRepository: true,
    iam: { features: ['createRepository'], when: (inputs) => inputs.management.create },
  },
  {
    name: 'tag-mutability',
    section: 'Repository',
    value: choice('MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'),
    help: 'MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION',
    managesRepository: true,
    iam: {
      features: ['updateSettings'],
      when: (inputs) => inputs.management.settings.tagMutability !== undefined,
    },
  },
  {
    name: 'tag-mutability-exclusions',
    section: 'Repository',
    value: LIST,
    help: 'wildcard filters for the *_WITH_EXCLUSION settings',
    managesRepository: true,
  },
  {
    name: 'scan-on-push',
    section: 'Repository',
    value: BOOLEAN,
    help: 'true or false',
    managesRepository: true,
    iam: {
      features: ['updateSettings'],
      when: (inputs) => inputs.management.settings.scanOnPush !== undefined,
    },
  },
  {
    name: 'encryption',
    section: 'Repository',
    value: choice('AES256', 'KMS'),
    help: 'AES256 or KMS, for a created repository',
    managesRepository: true,
  },
  {
    name: 'kms-key',
    section: 'Repository',
    value: TEXT,
    help: 'with encryption KMS: key ARN, ID or alias',
    managesRepository: true,
    iam: {
      features: ['kmsKey'],
      when: (inputs) => inputs.management.create && kmsKeyOf(inputs) !== undefined,
    },
  },
  {
    name: 'repository-tags',
    section: 'Repository',
    value: LIST,
    help: 'key=value resource tags for a created repository',
    managesRepository: true,
    iam: {
      features: ['repositoryTags'],
      when: (inputs) => inputs.management.create && inputs.management.settings.resourceTags.length > 0,
    },
  },
  {
    name: 'lifecycle-policy',
    section: 'Repository',
    value: TEXT,
    help: 'JSON, a file, or shorthand such as keep=30,untagged-days=7',
    managesRepository: true,
    iam: { features: ['lifecyclePolicy'], when: (inputs) => inputs.management.lifecyclePolicy !== undefined },
  },
  {
    name: 'repository-policy',
    section: 'Repository',
    value: TEXT,
    help: 'JSON, a file, or pull-accounts: ID,ID',
    managesRepository: true,
    iam: {
      features: ['repositoryPolicy'],
      when: (inputs) => inputs.management.repositoryPolicy !== undefined,
    },
  },
  {
    name: 'on-immutable',
    section: 'Repository',
    default: 'skip',
    value: choice('skip', 'fail'),
    help: 'skip (default) or fail, for moving tags on immutable repositories',
  },
  {
    name: 'cleanup',
    section: 'Repository',
    value: choice('untagged'),
    help: 'untagged: delete untagged images after the push',
    managesRepository: true,
    iam: { features: ['cleanup'], when: (inputs) => inputs.management.cleanup },
  },
  {
    name: 'cleanup-dry-run',
    section: 'Repository',
    default: 'false',
    value: BOOLEAN,
    help: 'list what cleanup would delete',
  },
  // Build and push
  {
    name: 'build',
    section: 'Build and push',
    default: 'false',
    value: BOOLEAN,
    help: 'build from the context and push',
  },
  {
    name: 'source-image',
    section: 'Build and push',
    value: TEXT,
    help: 'push this local image, or promote this registry image, instead of building',
    // A promotion reads the image's manifests and blobs over the registry API.
    iam: {
      features: ['pullFrom'],
      when: (inputs) => inputs.build.sourceRegistry !== undefined,
    },
  },
  {
    name: 'context',
    section: 'Build and push',
    default: '.',
    value: TEXT,
    help: 'build context directory or URL (default .)',
  },
  {
    name: 'file',
    section: 'Build and push',
    value: TEXT,
    help: 'Dockerfile (default <context>/Dockerfile)',
  },
  { name: 'target', section: 'Build and push', value: TEXT, help: 'build stage' },
  {
    name: 'build-args',
    section: 'Build and push',
    value: LINES,
    help: 'NAME=VALUE, one per flag or line',
  },
  {
    name: 'label-build-args',
    section: 'Build and push',
    default: 'true',
    value: BOOLEAN,
    help: 'pass the labels as OCI_* build args too (default true)',
  },
  { name: 'platforms', section: 'Build and push', value: LIST, help: 'target platforms (buildx)' },
  {
    name: 'cache',
    section: 'Build and push',
    value: choice('ecr', 'none'),
    help: 'ecr: registry cache in the repository (buildx)',
    // cache: ecr reads its cache layers back from the repository: the pull actions.
    iam: { features: ['pullFrom'], when: (inputs) => inputs.build.cache },
  },
  {
    name: 'cache-from',
    section: 'Build and push',
    value: LINES,
    help: 'raw --cache-from values (buildx)',
  },
  { name: 'cache-to', section: 'Build and push', value: LINES, help: 'raw --cache-to values (buildx)' },
  {
    name: 'provenance',
    section: 'Build and push',
    default: 'false',
    value: TEXT,
    flag: true,
    help: 'false (default), true, mode=min, mode=max (buildx)',
  },
  {
    name: 'sbom',
    section: 'Build and push',
    default: 'false',
    value: BOOLEAN,
    help: 'attach an SBOM attestation (buildx)',
  },
  {
    name: 'lambda',
    section: 'Build and push',
    default: 'false',
    value: BOOLEAN,
    help: 'an image AWS Lambda can run: one platform, no attestations, an image manifest',
  },
  {
    name: 'push-by-digest',
    section: 'Build and push',
    default: 'false',
    value: BOOLEAN,
    help: 'push the manifest by digest only, no tags (buildx): the digests output feeds merge-digests',
    // Each platform of the push is read back to name it in the digests output.
    iam: { features: ['pullFrom'], when: (inputs) => inputs.build.pushByDigest },
  },
  {
    name: 'merge-digests',
    section: 'Build and push',
    value: LINES,
    help: 'write one image index over these digests (or digests outputs) and tag it; builds nothing',
    // The children's manifests and configs are read back over the registry API.
    iam: { features: ['pullFrom'], when: (inputs) => inputs.build.mode === 'merge' },
  },
  {
    name: 'skip-existing',
    section: 'Build and push',
    default: 'false',
    value: BOOLEAN,
    help: "with build: no build when the commit's sha tag exists; only the missing tags are added",
    // The commit's image is read (and copied between registries) over the registry API.
    iam: { features: ['pullFrom'], when: (inputs) => inputs.build.skipExisting },
  },
  {
    name: 'wait-for-replication',
    section: 'Build and push',
    default: 'false',
    value: TEXT,
    help: 'true (up to 600 s) or seconds: wait until ECR has replicated the pushed image everywhere',
    flag: true,
    iam: {
      features: ['replication'],
      when: (inputs) => inputs.build.replicationTimeoutSeconds !== undefined,
    },
  },
  {
    name: 'scan-fail-on',
    section: 'Build and push',
    default: 'none',
    value: choice('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'none'),
    help: 'the scan gate: findings at this severity or above keep the tags off the image and fail the step',
    iam: { features: ['scan'], when: (inputs) => inputs.build.scanGate !== undefined },
  },
  {
    name: 'scan-ignore',
    section: 'Build and push',
    value: LIST,
    help: 'vulnerability IDs (CVE-...) the scan gate never fails on',
  },
  {
    name: 'scan-timeout',
    section: 'Build and push',
    default: '600',
    value: { kind: 'integer', min: 10, max: 3600 },
    help: 'seconds the scan gate waits for the scan to complete',
  },
  {
    name: 'builder',
    section: 'Build and push',
    default: 'auto',
    // Also the name of a buildx builder instance, so not a closed choice.
    value: TEXT,
    help: 'auto (default), buildx, docker, or a buildx builder name',
  },
  {
    name: 'push',
    section: 'Build and push',
    default: 'auto',
    value: choice('auto', 'true', 'false'),
    flag: true,
    help: 'auto (default: not for pull requests), true or false',
  },
  {
    name: 'secrets',
    section: 'Build and push',
    value: LINES,
    help: 'BuildKit secrets: NAME=VALUE, id=NAME,src=FILE or id=NAME,env=VAR (buildx)',
  },
  {
    name: 'load',
    section: 'Build and push',
    default: 'false',
    value: BOOLEAN,
    help: 'also load the pushed image locally (buildx)',
  },
  {
    name: 'no-cache',
    section: 'Build and push',
    default: 'false',
    value: BOOLEAN,
    help: 'build without the cache',
  },
  {
    name: 'pull',
    section: 'Build and push',
    default: 'false',
    value: BOOLEAN,
    help: 'always pull newer base images',
  },
  {
    name: 'build-contexts',
    section: 'Build and push',
    value: LINES,
    help: 'extra build contexts, NAME=VALUE per line (buildx)',
  },
  {
    name: 'ssh',
    section: 'Build and push',
    value: LINES,
    help: 'SSH agent sockets or keys, default or ID=PATH (buildx)',
  },
  {
    name: 'annotations',
    section: 'Build and push',
    value: LINES,
    help: 'OCI annotations, [LEVEL:]KEY=VALUE per line (buildx)',
  },
  {
    name: 'network',
    section: 'Build and push',
    value: TEXT,
    help: 'network for RUN steps: host, none or a name',
  },
  {
    name: 'add-hosts',
    section: 'Build and push',
    value: LIST,
    help: 'HOST:IP mappings for the build',
  },
  {
    name: 'shm-size',
    section: 'Build and push',
    value: TEXT,
    help: 'size of /dev/shm, such as 2g',
  },
  {
    name: 'ulimit',
    section: 'Build and push',
    value: LINES,
    help: 'ulimits, TYPE=SOFT[:HARD] per line',
  },
  {
    name: 'secret-files',
    section: 'Build and push',
    value: LINES,
    help: 'BuildKit secrets from files, ID=PATH per line (buildx)',
  },
  {
    name: 'secret-envs',
    section: 'Build and push',
    value: LINES,
    help: 'BuildKit secrets from variables, ID=VARIABLE per line (buildx)',
  },
  {
    name: 'allow',
    section: 'Build and push',
    value: LIST,
    help: 'entitlements such as network.host (buildx)',
  },
];

const BY_NAME = new Map(INPUTS.map((spec) => [spec.name, spec]));

/** The spec of an input; a name that is not in the table is a bug in the caller, not a user's mistake. */
export function inputSpec(name: string): InputSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new Error(`'${name}' is not an input of this action (src/inputs/table.ts)`);
  return spec;
}

/** A bare CLI flag means `true`. */
export function takesBareFlag(spec: InputSpec): boolean {
  return spec.value.kind === 'boolean' || spec.flag === true;
}

/** The inputs that manage the ECR repository: setting one needs `repository`. */
export const REPOSITORY_INPUTS: readonly string[] = INPUTS.filter((spec) => spec.managesRepository).map(
  (spec) => spec.name,
);

function kmsKeyOf(inputs: Inputs) {
  const { encryption } = inputs.management.settings;
  return encryption?.type === 'KMS' ? encryption.kmsKey : undefined;
}

/**
 * The IAM features the inputs turn on, from the table's `iam` column; the features that carry a value get
 * it here (the repositories the build pulls from, the key a created repository is encrypted with).
 */
export function iamFeaturesOfInputs(inputs: Inputs, repositories: IamFeatures['repositories'] = []) {
  const features: IamFeatures = {};
  for (const spec of INPUTS) {
    if (!spec.iam?.when(inputs)) continue;
    for (const feature of spec.iam.features) {
      if (feature === 'pullFrom') features.pullFrom = repositories;
      else if (feature === 'kmsKey') {
        const key = kmsKeyOf(inputs);
        if (key) features.kmsKey = key;
      } else features[feature] = true;
    }
  }
  return features;
}
