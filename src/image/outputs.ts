/**
 * The step's metadata outputs, as docker/metadata-action names and shapes them, so a workflow can swap
 * that action for this one and keep its docker/build-push-action step unchanged.
 */
import { InputError } from '../shared/errors.js';
import { ociBuildArgs, type Labels } from './labels.js';
import type { ResolvedTag } from './tags/types.js';

/** ECR's rule for repository names: lower-case path components joined by `/`. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const REPOSITORY_LENGTH = { min: 2, max: 256 };

/** The `repository` input; undefined when empty (outputs are then bare tag names). */
/** A registry hostname or a tag in the name: valid characters, but surely meant for another input. */
const NOT_JUST_A_NAME = /^(?:\d{12}\.dkr[.-]ecr|public\.ecr\.aws\/)|:/;

export function parseRepository(text: string): string | undefined {
  const name = text.trim();
  if (name === '') return undefined;
  if (NOT_JUST_A_NAME.test(name)) {
    throw new InputError(
      'repository',
      text,
      'give the repository name only, such as team/app: the registry comes from registries, the tag from tags',
    );
  }
  if (
    name.length < REPOSITORY_LENGTH.min ||
    name.length > REPOSITORY_LENGTH.max ||
    !REPOSITORY_NAME.test(name)
  ) {
    const lowered = name.toLowerCase();
    throw new InputError(
      'repository',
      text,
      lowered !== name && REPOSITORY_NAME.test(lowered)
        ? `ECR repository names are lower case: write ${lowered}`
        : `expected ${REPOSITORY_LENGTH.min} to ${REPOSITORY_LENGTH.max} characters of lower-case letters, digits and . _ - between them, path parts joined by /, such as team/app`,
    );
  }
  return name;
}

export interface MetadataInput {
  tags: ResolvedTag[];
  /** The `version` of the tag resolution. */
  version?: string;
  labels: Labels;
  /** Registry hostnames, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com. */
  registries: string[];
  repository?: string;
  /** After a push: the digest the registries hold, for the `images` entry of `json` (one per registry). */
  digest?: string;
}

/** Output name → value, ready for core.setOutput. */
export interface MetadataOutputs {
  /** Full image references, one per line: every tag for the first registry, then the next registry. */
  tags: string;
  'tag-names': string;
  /** key=value lines. */
  labels: string;
  version: string;
  /** {"tags": [...], "labels": {...}, ...}: what docker/metadata-action's json output holds, and more. */
  json: string;
  /** OCI_*=value lines, for docker/build-push-action's build-args. */
  'build-args': string;
}

export function metadataOutputs(input: MetadataInput): MetadataOutputs {
  const names = input.tags.map((tag) => tag.name);
  const references = imageReferences(names, input.registries, input.repository);
  const buildArgs = ociBuildArgs(input.labels);
  const json = {
    tags: references,
    labels: input.labels,
    version: input.version ?? '',
    'tag-names': names,
    'build-args': buildArgs,
    // What a deploy job pins: each registry's image by digest.
    ...(input.digest !== undefined && input.repository !== undefined
      ? {
          images: input.registries.map((registry) => ({
            registry,
            image: `${repositoryReference(registry, input.repository ?? '')}@${input.digest ?? ''}`,
          })),
        }
      : {}),
  };
  return {
    tags: references.join('\n'),
    'tag-names': names.join('\n'),
    labels: keyValueLines(input.labels),
    version: input.version ?? '',
    json: JSON.stringify(json),
    'build-args': keyValueLines(buildArgs),
  };
}

/** `<registry>/<repository>:<tag>`: the one place a reference is put together. */
export function imageReference(registry: string, repository: string, tag: string): string {
  return `${repositoryReference(registry, repository)}:${tag}`;
}

/** `<registry>/<repository>`: where a push by digest goes (no tag). */
export function repositoryReference(registry: string, repository: string): string {
  return `${registry.replace(/\/+$/, '')}/${repository}`;
}

/** `<registry>/<repository>:<tag>`; without registries `<repository>:<tag>`; without a repository the tags. */
export function imageReferences(
  names: string[],
  registries: string[],
  repository: string | undefined,
): string[] {
  if (repository === undefined) return names;
  if (registries.length === 0) return names.map((name) => `${repository}:${name}`);
  return registries.flatMap((registry) => names.map((name) => imageReference(registry, repository, name)));
}

function keyValueLines(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}
