/**
 * The one place that reads the action's inputs (and the environment variables that stand in for them).
 * Everything is validated here, before any AWS call or file write, so a typo fails in one line that
 * names the input, the value and what is accepted.
 */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseBuildInputs } from '../builder/inputs.js';
import { isInsideDirectory, whyNotADirectory, type DockerConfigChoice } from '../docker-config/location.js';
import { InputError } from '../shared/errors.js';
import { parseBoolean, parseIntegerInRange } from './values.js';
import { parseCreated, parseLabels } from '../image/labels.js';
import type { MetadataInputs } from '../image/metadata.js';
import { parseList } from '../shared/lists.js';
import { parseRepository } from '../image/outputs.js';
import { resolveProxy } from './proxy.js';
import { readInput } from './read.js';
import { inputSpec, REPOSITORY_INPUTS } from './table.js';
import { parseOnImmutable } from '../repository/tag-plan/index.js';
import type { RepositoryManagement } from '../repository/management.js';
import type { Inputs, RegistryType } from './types.js';
import {
  parseRepositorySettings,
  resolveLifecyclePolicy,
  resolveRepositoryPolicy,
} from '../repository/policies/index.js';
import { isRegion, parseRegistry, type RegistrySpec } from '../login/registries.js';
import { parseLatest } from '../image/tags/latest.js';
import { parseTagRules } from '../image/tags/rules.js';

type Env = Record<string, string | undefined>;

// Shared with the other input modules and their tests.
export { parseBoolean, parseIntegerInRange } from './values.js';
export { parseProxy, redactUrlText } from './proxy.js';

function parseRegistryType(value: string): RegistryType {
  const lowered = value.trim().toLowerCase();
  if (lowered === '' || lowered === 'private') return 'private';
  if (lowered === 'public') return 'public';
  throw new InputError(
    'registry-type',
    value,
    "expected 'private' (Amazon ECR) or 'public' (Amazon ECR Public)",
  );
}

/** `region` input, else AWS_REGION, else AWS_DEFAULT_REGION: the order configure-aws-credentials sets. */
function resolveRegion(value: string, env: Env): { region?: string; source: string } {
  const candidates: [string, string | undefined][] = [
    ['region', value.trim()],
    ['AWS_REGION', env.AWS_REGION?.trim()],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION?.trim()],
  ];
  for (const [source, region] of candidates) {
    if (!region) continue;
    if (!isRegion(region)) {
      throw new InputError(source, region, 'expected an AWS region such as eu-west-1');
    }
    return { region, source };
  }
  return { source: 'none' };
}

const NO_REGION =
  "no AWS region: set the 'region' input, or 'aws-region' on aws-actions/configure-aws-credentials (which sets AWS_REGION)";

export function parseRegistries(value: string, region: string | undefined): RegistrySpec[] {
  const items = parseList(value);
  if (items.length === 0) {
    // The caller's own registry: its account comes from the credentials, its region from here.
    if (!region) throw new InputError('region', '', NO_REGION);
    return [{ region, fips: false, dualStack: false }];
  }
  return items.map((item) => {
    const spec = parseRegistry(item, region);
    if (typeof spec === 'string') throw new InputError('registries', item, spec);
    return spec;
  });
}

export function parseDockerConfig(value: string, env: Env): DockerConfigChoice {
  const trimmed = value.trim();
  const keyword = trimmed.toLowerCase();
  if (keyword === 'isolated') {
    return { kind: 'isolated', parent: env.RUNNER_TEMP || os.tmpdir() };
  }
  let choice: DockerConfigChoice;
  // What named the directory, for the error: the input, or the variable that stands in for it.
  let source: [name: string, value: string] = ['docker-config', value];
  if (keyword === '' || keyword === 'default') {
    choice = { kind: 'default', dir: env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker') };
    if (env.DOCKER_CONFIG) source = ['DOCKER_CONFIG', env.DOCKER_CONFIG];
  } else {
    if (trimmed.includes('\0') || /[\r\n]/.test(trimmed)) {
      throw new InputError('docker-config', value, "expected 'default', 'isolated' or a directory path");
    }
    choice = { kind: 'path', dir: path.resolve(env.GITHUB_WORKSPACE || process.cwd(), trimmed) };
  }
  const problem = whyNotADirectory(choice.dir);
  if (problem) {
    throw new InputError(
      ...source,
      `expected a directory, but ${problem}: name the directory docker's config.json goes in, or use 'isolated'`,
    );
  }
  if (env.GITHUB_WORKSPACE && isInsideDirectory(choice.dir, env.GITHUB_WORKSPACE)) {
    core.warning(
      `docker-config: ${choice.dir} is inside the workspace (GITHUB_WORKSPACE)` +
        `${source[0] === 'DOCKER_CONFIG' ? ', named by DOCKER_CONFIG' : ''}: the credentials written there can ` +
        `end up in the context of a 'docker build .' or in an uploaded artifact. ` +
        `Use 'docker-config: isolated', or a directory outside the checkout.`,
    );
  }
  return choice;
}

function parseCleanup(value: string): boolean {
  const lowered = value.trim().toLowerCase();
  if (lowered === '' || lowered === 'false' || lowered === 'none') return false;
  if (lowered === 'untagged') return true;
  throw new InputError('cleanup', value, "expected 'untagged' (delete images left without a tag) or empty");
}

/** Policy files are named relative to the workspace, as every other path in a workflow. */
function workspaceReader(env: Env): (file: string) => string {
  return (file) => readFileSync(path.resolve(env.GITHUB_WORKSPACE || process.cwd(), file), 'utf8');
}

function parseManagementInputs(
  input: (name: string) => string,
  env: Env,
  repository: string | undefined,
  registryType: RegistryType,
  region: string | undefined,
): RepositoryManagement {
  const used = REPOSITORY_INPUTS.filter((name) => {
    const value = input(name).trim().toLowerCase();
    return value !== '' && value !== 'false';
  });
  if (used.length > 0 && repository === undefined) {
    throw new InputError(
      'repository',
      '',
      `required with ${used.join(', ')}: name the ECR repository, such as team/app`,
    );
  }
  if (used.length > 0 && registryType === 'public') {
    throw new InputError(
      'registry-type',
      'public',
      `${used.join(', ')} ${used.length === 1 ? 'manages' : 'manage'} private repositories: use registry-type private`,
    );
  }
  const readFile = workspaceReader(env);
  const lifecyclePolicy = resolveLifecyclePolicy(input('lifecycle-policy'), readFile);
  const repositoryPolicy = resolveRepositoryPolicy(
    input('repository-policy'),
    readFile,
    region ?? 'us-east-1',
  );
  return {
    create: parseBoolean('create-repository', input('create-repository')),
    settings: parseRepositorySettings({
      tagMutability: input('tag-mutability'),
      tagMutabilityExclusions: input('tag-mutability-exclusions'),
      scanOnPush: input('scan-on-push'),
      encryption: input('encryption'),
      kmsKey: input('kms-key'),
      repositoryTags: input('repository-tags'),
    }),
    ...(lifecyclePolicy ? { lifecyclePolicy } : {}),
    ...(repositoryPolicy ? { repositoryPolicy } : {}),
    onImmutable: parseOnImmutable(input('on-immutable')),
    cleanup: parseCleanup(input('cleanup')),
    cleanupDryRun: parseBoolean('cleanup-dry-run', input('cleanup-dry-run')),
  };
}

const MAX_ATTEMPTS = (() => {
  const { value } = inputSpec('max-attempts');
  if (value.kind !== 'integer') throw new Error('max-attempts is an integer input');
  return value;
})();

export function getInputs(env: Env = process.env): Inputs {
  const input = readInput;
  const registryType = parseRegistryType(input('registry-type'));
  const { region } = resolveRegion(input('region'), env);
  const registriesText = input('registries');
  let registries: RegistrySpec[] = [];
  if (registryType === 'private') {
    registries = parseRegistries(registriesText, region);
  } else if (registriesText.trim() !== '') {
    core.warning(
      `'registries' is ignored with registry-type 'public': ECR Public has one registry, public.ecr.aws.`,
    );
  }
  const metadata = getMetadataInputs();
  const { repository } = metadata;
  const build = parseBuildInputs(input, env, repository);
  // Masked before anything can print them; they reach the build only through 0600 files.
  for (const secret of build.secrets)
    if ('value' in secret && secret.value !== '') core.setSecret(secret.value);
  return {
    metadata,
    management: parseManagementInputs(input, env, repository, registryType, region ?? registries[0]?.region),
    build,
    registryType,
    registries,
    dockerConfig: parseDockerConfig(input('docker-config'), env),
    maskPassword: parseBoolean('mask-password', input('mask-password')),
    skipLogout: parseBoolean('skip-logout', input('skip-logout')),
    proxy: resolveProxy(input('http-proxy'), env),
    maxAttempts: parseIntegerInRange(
      'max-attempts',
      input('max-attempts'),
      MAX_ATTEMPTS.min,
      MAX_ATTEMPTS.max,
    ),
  };
}

/** What the image is called and labelled: all a dry run of the tags needs (no region, no registry). */
export function getMetadataInputs(): MetadataInputs {
  const input = readInput;
  return {
    repository: parseRepository(input('repository')),
    tagRules: parseTagRules(input('tags')),
    latest: parseLatest(input('latest')),
    labelOverrides: parseLabels(input('labels')),
    created: parseCreated(input('created')),
  };
}
