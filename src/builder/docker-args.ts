/**
 * The docker command lines, as argument arrays (no shell). Every value a user or a git event can influence
 * (tags, labels, build args) is joined to its flag (`--label=KEY=VALUE`), so a value starting with `-` is
 * never read as an option. The context is last: an absolute path or a URL, so never option-like either.
 */

import { buildxOptionArgs, commonOptionArgs, type BuildOptions } from './build-options.js';

export interface BuilderInstance {
  name: string;
  /** A docker-driver builder is a docker context: buildx only takes it through `docker --context`. */
  viaContext: boolean;
}

export interface BuildRequest {
  context: string;
  file?: string;
  target?: string;
  /** In order; a later entry of the same name wins, as with repeated --build-arg. */
  buildArgs: [string, string][];
  labels: Record<string, string>;
  /** Full references, every registry × tag. */
  tags: string[];
  platforms: string[];
  cacheFrom: string[];
  cacheTo: string[];
  provenance: string;
  sbom?: boolean;
  /** build-push-action's options (no-cache, network, build-contexts, ...); buildx-only ones go to buildx only. */
  options?: BuildOptions;
  /** A named buildx builder instance: `--builder=NAME`, or `docker --context=NAME` for a docker-driver one. */
  builderInstance?: BuilderInstance;
  /** buildx `--secret` values (`id=NAME,src=FILE` or `id=NAME,env=VARIABLE`): never a secret's value. */
  secrets: string[];
  /** buildx: BuildKit stamps the image config and history with this time, so a rebuild is the same image. */
  sourceDateEpoch?: number;
}

/** Where buildx writes what it built, and whether it pushes or loads the result. */
export interface BuildxOutput {
  iidFile: string;
  metadataFile: string;
  /**
   * `push`: to the registries; `load`: into the local image store; `cache`: build only;
   * `oci-layout`: an OCI image layout in `layoutDir` (no tag anywhere), which the step pushes by digest.
   */
  output: 'push' | 'load' | 'cache' | 'oci-layout';
  layoutDir?: string;
}

function commonArgs(request: BuildRequest, tagged = true): string[] {
  return [
    ...(request.file === undefined ? [] : [`--file=${request.file}`]),
    ...(request.target === undefined ? [] : [`--target=${request.target}`]),
    ...request.buildArgs.map(([name, value]) => `--build-arg=${name}=${value}`),
    ...Object.entries(request.labels).map(([key, value]) => `--label=${key}=${value}`),
    ...(tagged ? request.tags.map((tag) => `--tag=${tag}`) : []),
  ];
}

/**
 * An OCI layout directory rather than BuildKit's own push-by-digest: buildx's `docker` driver (what
 * GitHub's runners have without setup-buildx-action) does not implement push-by-digest, while every
 * driver writes a layout. The path is the step's own temp directory, never a user value.
 */
function ociLayoutOutput(dir: string | undefined): string {
  if (dir === undefined) throw new Error('oci-layout output needs a directory');
  return `--output=type=oci,tar=false,dest=${dir}`;
}

/** The classic builder: `docker build`, one image tagged with every reference; pushed tag by tag after. */
export function classicBuildArgs(request: BuildRequest, iidFile: string): string[] {
  return [
    'build',
    ...commonArgs(request),
    ...(request.options ? commonOptionArgs(request.options) : []),
    `--iidfile=${iidFile}`,
    request.context,
  ];
}

/** SOURCE_DATE_EPOCH as a build arg, unless the user's build args set it already. */
function sourceDateEpochArgs(request: BuildRequest): string[] {
  if (request.sourceDateEpoch === undefined) return [];
  if (request.buildArgs.some(([name]) => name === 'SOURCE_DATE_EPOCH')) return [];
  return [`--build-arg=SOURCE_DATE_EPOCH=${request.sourceDateEpoch}`];
}

/** One `docker buildx build` with every tag: pushes to every registry at once. */
export function buildxBuildArgs(request: BuildRequest, output: BuildxOutput): string[] {
  const byDigest = output.output === 'oci-layout';
  const outputArgs: string[] = {
    push: ['--push'],
    load: ['--load'],
    cache: [],
    'oci-layout': byDigest ? [ociLayoutOutput(output.layoutDir)] : [],
  }[output.output];
  // `load: true` keeps the pushed image in the local store too.
  if (output.output === 'push' && request.options?.load) outputArgs.push('--load');
  const instance = request.builderInstance;
  return [
    ...(instance?.viaContext ? [`--context=${instance.name}`] : []),
    'buildx',
    'build',
    ...(instance && !instance.viaContext ? [`--builder=${instance.name}`] : []),
    ...commonArgs(request, !byDigest),
    ...(request.options ? [...commonOptionArgs(request.options), ...buildxOptionArgs(request.options)] : []),
    ...sourceDateEpochArgs(request),
    ...(request.platforms.length > 0 ? [`--platform=${request.platforms.join(',')}`] : []),
    ...request.cacheFrom.map((value) => `--cache-from=${value}`),
    ...request.cacheTo.map((value) => `--cache-to=${value}`),
    `--provenance=${request.provenance}`,
    ...(request.sbom ? ['--sbom=true'] : []),
    ...request.secrets.map((value) => `--secret=${value}`),
    `--iidfile=${output.iidFile}`,
    `--metadata-file=${output.metadataFile}`,
    ...outputArgs,
    request.context,
  ];
}

/**
 * `cache: ecr`: a registry cache under one tag of the repository itself. ECR accepts BuildKit's cache only
 * as an OCI image manifest (`image-manifest=true,oci-mediatypes=true`); `mode=max` caches every stage.
 */
export function ecrCacheArgs(cacheRef: string): { cacheFrom: string; cacheTo: string } {
  return {
    cacheFrom: `type=registry,ref=${cacheRef}`,
    cacheTo: `type=registry,ref=${cacheRef},mode=max,image-manifest=true,oci-mediatypes=true`,
  };
}

/** The digest `docker push` prints last: `<tag>: digest: sha256:<hex> size: <n>`. */
export function pushedDigest(output: string): string | undefined {
  const matches = [...output.matchAll(/digest: (sha256:[0-9a-f]{64})/g)];
  return matches.at(-1)?.[1];
}

export interface BuildxMetadata {
  digest?: string;
  configDigest?: string;
}

/** What `--metadata-file` says of the image: the manifest (or index) digest and the config digest. */
export function parseBuildxMetadata(text: string): BuildxMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const digest = record['containerimage.digest'];
  const config = record['containerimage.config.digest'];
  return {
    ...(typeof digest === 'string' && digest.startsWith('sha256:') ? { digest } : {}),
    ...(typeof config === 'string' && config.startsWith('sha256:') ? { configDigest: config } : {}),
  };
}
