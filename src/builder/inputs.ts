/**
 * The build and push inputs, parsed and validated from their text: pure, so every rule is tested on its
 * own, and every problem is found before any AWS call or docker command.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../shared/errors.js';
import { parseBoolean } from '../inputs/values.js';
import { parseLines, parseList } from '../shared/lists.js';
import { buildxOnlyOptions, parseBuildOptions, type BuildOptions } from './build-options.js';
import {
  parseMergeDigests,
  parseRegistryReference,
  type DigestEntry,
  type RegistryReference,
} from '../registry/manifests.js';
import { SEVERITIES, type ScanGate, type Severity } from '../repository/scan-gate.js';

export type BuilderChoice = 'auto' | 'buildx' | 'docker';
/** A buildx builder instance's name, as docker/setup-buildx-action outputs it (`name`). */
const BUILDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export type PushChoice = 'auto' | 'true' | 'false';

/** A BuildKit secret: a value (kept in a 0600 temp file while the build runs) or buildx's own form. */
export type BuildSecret = { id: string; value: string } | { raw: string; id: string };

export interface BuildInputs {
  /**
   * What the step pushes: nothing (login and repository only), a build, an image built earlier (local, or
   * a registry reference to promote), or an index over digests pushed by other jobs (`merge-digests`).
   */
  mode: 'none' | 'build' | 'source-image' | 'merge';
  /** `push-by-digest: true`: the build pushes no tag, only the manifest by its digest. */
  pushByDigest: boolean;
  /** `merge-digests`: the children of the index to write. */
  mergeDigests: DigestEntry[];
  /** `skip-existing: true`: no build when the commit's sha tag is in the registries already. */
  skipExisting: boolean;
  /** `wait-for-replication`: how long to wait for ECR's replication after a push; undefined: do not. */
  replicationTimeoutSeconds?: number;
  /** `scan-fail-on` other than none: the scan gate between the push and the tags. */
  scanGate?: ScanGate;
  sourceImage?: string;
  /** `source-image` as `<registry>/<repository>:<tag>` or `@sha256:…`: promoted unless docker holds it. */
  sourceRegistry?: RegistryReference;
  /** An absolute directory, or a remote context (git or https URL) passed to the builder as it is. */
  context: string;
  /** An absolute path; undefined: the builder's default, `<context>/Dockerfile`. */
  file?: string;
  target?: string;
  /** The user's build args, in order; they win over the OCI_* ones of the same name. */
  buildArgs: [string, string][];
  labelBuildArgs: boolean;
  platforms: string[];
  /** `cache: ecr`: a registry cache in the repository itself. */
  cache: boolean;
  cacheFrom: string[];
  cacheTo: string[];
  /** buildx's `--provenance` value; 'false' (the default) attaches no attestation. */
  provenance: string;
  /** buildx `--sbom=true`: an SBOM attestation beside the image (an image index then). */
  sbom: boolean;
  /** `lambda: true`: one platform, no attestations, and a pushed image manifest (never an index). */
  lambda: boolean;
  builder: BuilderChoice;
  /** `builder: NAME`: a buildx builder instance (remote, kubernetes, docker-container) by its name. */
  builderName?: string;
  push: PushChoice;
  /** docker/build-push-action's inputs that apply: no-cache, pull, network, build-contexts, ... */
  options: BuildOptions;
  secrets: BuildSecret[];
}

/** The raw text of each input this module reads, by input name. */
export type BuildInputText = (name: string) => string;

type Env = Record<string, string | undefined>;

const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TARGET = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const REMOTE_CONTEXT = /^(https?:\/\/|git@|git:\/\/|github\.com\/)/i;
/** A docker image reference: no option-like start, no white space or control characters. */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

function oneOf<T extends string>(input: string, text: string, values: readonly T[], fallback: T): T {
  const lowered = text.trim().toLowerCase();
  if (lowered === '') return fallback;
  const found = values.find((value) => value === lowered);
  if (found === undefined) {
    throw new InputError(input, text, `expected ${values.map((value) => `'${value}'`).join(', ')}`);
  }
  return found;
}

/** `auto`, `buildx`, `docker`, or the name of a buildx builder instance (which means buildx). */
function parseBuilder(text: string): { builder: BuilderChoice; builderName?: string } {
  const value = text.trim();
  const lowered = value.toLowerCase();
  if (lowered === '' || lowered === 'auto') return { builder: 'auto' };
  if (lowered === 'buildx' || lowered === 'docker') return { builder: lowered };
  if (BUILDER_NAME.test(value)) return { builder: 'buildx', builderName: value };
  throw new InputError(
    'builder',
    text,
    "expected 'auto', 'buildx', 'docker' or the name of a buildx builder (docker/setup-buildx-action's name output)",
  );
}

export function parseBuildArgs(text: string): [string, string][] {
  return parseLines(text).map((line) => {
    const equals = line.indexOf('=');
    const name = equals < 0 ? line : line.slice(0, equals);
    if (equals < 0 || !BUILD_ARG_NAME.test(name)) {
      throw new InputError(
        'build-args',
        line,
        equals < 0
          ? 'expected NAME=VALUE, one per line (a value the image must not keep goes in secrets)'
          : 'expected NAME=VALUE with a NAME of letters, digits and _, not starting with a digit',
      );
    }
    return [name, line.slice(equals + 1)];
  });
}

/** `NAME=VALUE` per line, or buildx's `id=NAME,src=FILE` / `id=NAME,env=VARIABLE`. */
export function parseSecrets(text: string): BuildSecret[] {
  const secrets = parseLines(text).map((line): BuildSecret => {
    const raw = /^id=([^,]+),(src|env)=(.+)$/.exec(line);
    if (raw?.[1] && SECRET_ID.test(raw[1])) return { raw: line, id: raw[1] };
    const equals = line.indexOf('=');
    const id = line.slice(0, Math.max(equals, 0));
    // `id=...` that is not buildx's form is a typo in it, not a secret named "id".
    if (equals <= 0 || !SECRET_ID.test(id) || /^id=[^,]*,/.test(line)) {
      // The line may hold the secret itself: it is not repeated in the message.
      throw new InputError(
        'secrets',
        '(a line, not shown)',
        'expected NAME=VALUE, id=NAME,src=FILE or id=NAME,env=VARIABLE per line, NAME of letters, digits and . _ -',
      );
    }
    return { id, value: line.slice(equals + 1) };
  });
  const ids = secrets.map((secret) => secret.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) {
    throw new InputError('secrets', repeated, 'each secret NAME may appear once');
  }
  return secrets;
}

export function parsePlatforms(text: string): string[] {
  const platforms = parseList(text);
  for (const platform of platforms) {
    if (!PLATFORM.test(platform)) {
      throw new InputError(
        'platforms',
        platform,
        'expected OS/ARCH[/VARIANT] such as linux/amd64, linux/arm64',
      );
    }
  }
  return platforms;
}

function parseCache(text: string): boolean {
  const lowered = text.trim().toLowerCase();
  if (lowered === '' || lowered === 'false' || lowered === 'none') return false;
  if (lowered === 'ecr') return true;
  throw new InputError(
    'cache',
    text,
    "expected 'ecr' (a BuildKit cache stored in the repository), or empty; use cache-from/cache-to for others",
  );
}

function parseProvenance(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'false';
  const lowered = trimmed.toLowerCase();
  if (lowered === 'false' || lowered === 'true') return lowered;
  if (/^[a-z-]+=[^\s]+$/i.test(trimmed)) return trimmed;
  throw new InputError(
    'provenance',
    text,
    "expected 'false' (the default), 'true', 'mode=min' or 'mode=max' (buildx's --provenance)",
  );
}

function parseTarget(text: string): string | undefined {
  const target = text.trim();
  if (target === '') return undefined;
  if (!TARGET.test(target)) {
    throw new InputError(
      'target',
      text,
      'expected a build stage name: a letter, then letters, digits, _ . -',
    );
  }
  return target;
}

function parseSourceImage(text: string): string | undefined {
  const image = text.trim();
  if (image === '') return undefined;
  if (!IMAGE_REFERENCE.test(image)) {
    throw new InputError(
      'source-image',
      text,
      'expected a local image reference such as app:ci, an image ID, or a registry reference such as 111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/app:sha-0123456',
    );
  }
  return image;
}

function workspacePath(env: Env, value: string): string {
  return path.resolve(env.GITHUB_WORKSPACE || process.cwd(), value);
}

function resolveContext(text: string, env: Env): string {
  const value = text.trim() || '.';
  if (REMOTE_CONTEXT.test(value)) return value;
  const dir = workspacePath(env, value);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError('context', text || '.', `expected a directory; ${dir} is not one`);
  }
  return dir;
}

function resolveFile(text: string, context: string, env: Env): string | undefined {
  const value = text.trim();
  if (value === '') {
    if (!REMOTE_CONTEXT.test(context) && !existsSync(path.join(context, 'Dockerfile'))) {
      throw new InputError(
        'file',
        '',
        `there is no Dockerfile in the context ${context}: name the Dockerfile with 'file', or set 'context'`,
      );
    }
    return undefined;
  }
  const file = workspacePath(env, value);
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new InputError('file', text, `expected a Dockerfile; ${file} is not a file`);
  }
  return file;
}

/**
 * AWS Lambda runs container images from a single image manifest: an index (several platforms, or one
 * platform with attestations) is refused when the function is created (aws-lambda-roadmap #82). So
 * `lambda: true` builds one platform, linux/amd64 unless `platforms` names another, with no attestation.
 */
function checkLambda(inputs: BuildInputs): void {
  if (inputs.platforms.length > 1) {
    throw new InputError(
      'platforms',
      inputs.platforms.join(','),
      'lambda: true takes one platform (Lambda cannot run an image index): name linux/amd64 or linux/arm64',
    );
  }
  if (inputs.provenance !== 'false') {
    throw new InputError(
      'provenance',
      inputs.provenance,
      'lambda: true pushes no attestation (it would turn the image into an index Lambda refuses): remove provenance',
    );
  }
  if (inputs.sbom) {
    throw new InputError(
      'sbom',
      'true',
      'lambda: true pushes no attestation (it would turn the image into an index Lambda refuses): remove sbom',
    );
  }
}

/** `scan-fail-on`, `scan-ignore`, `scan-timeout`: undefined when there is no gate. */
function parseScanGate(input: BuildInputText): ScanGate | undefined {
  const failOn = input('scan-fail-on').trim().toUpperCase();
  const ignoreText = input('scan-ignore');
  if (failOn === '' || failOn === 'NONE') {
    if (ignoreText.trim() !== '') {
      throw new InputError(
        'scan-ignore',
        ignoreText,
        'only used with scan-fail-on (the scan gate): set scan-fail-on, or drop scan-ignore',
      );
    }
    return undefined;
  }
  if (!SEVERITIES.includes(failOn as Severity)) {
    throw new InputError(
      'scan-fail-on',
      input('scan-fail-on'),
      "expected 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW' or 'none'",
    );
  }
  const ignore = parseList(ignoreText).map((id) => id.toUpperCase());
  const bad = ignore.find((id) => !/^[A-Z][A-Z0-9]*-[A-Z0-9-]+$/.test(id));
  if (bad !== undefined)
    throw new InputError('scan-ignore', bad, 'expected vulnerability IDs such as CVE-2024-3094');
  const timeoutText = input('scan-timeout').trim() || '600';
  const timeoutSeconds = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || timeoutSeconds < 10 || timeoutSeconds > 3600) {
    throw new InputError(
      'scan-timeout',
      input('scan-timeout'),
      'expected a number of seconds from 10 to 3600',
    );
  }
  return { failOn: failOn as Severity, ignore, timeoutSeconds };
}

/** `wait-for-replication`: false (do not wait), true (600 s) or a number of seconds, 1 to 3600. */
function parseReplicationWait(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'false') return undefined;
  if (value === 'true') return 600;
  if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 3600) return Number(value);
  throw new InputError(
    'wait-for-replication',
    text,
    "expected 'true', 'false' or a number of seconds from 1 to 3600",
  );
}

/** buildx's platforms: with `lambda: true` and none named, Lambda's default architecture (x86_64). */
export function buildxPlatforms(inputs: BuildInputs): string[] {
  return inputs.lambda && inputs.platforms.length === 0 ? ['linux/amd64'] : inputs.platforms;
}

/** The inputs that only buildx (BuildKit) can honour, with the value each was given. */
export function buildxOnlyInputs(inputs: BuildInputs): string[] {
  return [
    ...(inputs.platforms.length > 0 ? ['platforms'] : []),
    ...(inputs.cache ? ['cache'] : []),
    ...(inputs.cacheFrom.length > 0 ? ['cache-from'] : []),
    ...(inputs.cacheTo.length > 0 ? ['cache-to'] : []),
    ...(inputs.provenance !== 'false' ? ['provenance'] : []),
    ...(inputs.sbom ? ['sbom'] : []),
    ...buildxOnlyOptions(inputs.options),
    ...(inputs.builderName === undefined ? [] : ['builder']),
    ...(inputs.secrets.length > 0 ? ['secrets'] : []),
    ...(inputs.pushByDigest ? ['push-by-digest'] : []),
  ];
}

export function parseBuildInputs(
  input: BuildInputText,
  env: Env,
  repository: string | undefined,
): BuildInputs {
  const build = parseBoolean('build', input('build'), false);
  const sourceImage = parseSourceImage(input('source-image'));
  if (build && sourceImage !== undefined) {
    throw new InputError('source-image', sourceImage, "set either 'build: true' or 'source-image', not both");
  }
  const sourceRegistry = sourceImage === undefined ? undefined : parseRegistryReference(sourceImage);
  const mergeDigests = parseMergeDigests(input('merge-digests'));
  if (mergeDigests.length > 0 && (build || sourceImage !== undefined)) {
    throw new InputError(
      'merge-digests',
      input('merge-digests'),
      `a merge builds nothing: set merge-digests, or ${build ? "'build: true'" : "'source-image'"}, not both`,
    );
  }
  const mode =
    mergeDigests.length > 0 ? 'merge' : build ? 'build' : sourceImage !== undefined ? 'source-image' : 'none';
  const pushByDigest = parseBoolean('push-by-digest', input('push-by-digest'), false);
  const skipExisting = parseBoolean('skip-existing', input('skip-existing'), false);
  if (skipExisting && !build) {
    throw new InputError('skip-existing', 'true', "skips a build: set 'build: true' with it");
  }
  if (skipExisting && pushByDigest) {
    throw new InputError(
      'skip-existing',
      'true',
      'a push by digest has no tag to look the image up by: drop one of the two',
    );
  }
  if (pushByDigest && !build) {
    throw new InputError('push-by-digest', 'true', "pushes what the step builds: set 'build: true' with it");
  }
  if (mode !== 'none' && repository === undefined) {
    throw new InputError(
      'repository',
      '',
      `required with ${mode === 'build' ? 'build' : mode === 'merge' ? 'merge-digests' : 'source-image'}: name the ECR repository to push to, such as team/app`,
    );
  }
  const context = mode === 'build' ? resolveContext(input('context'), env) : input('context').trim() || '.';
  const replication = parseReplicationWait(input('wait-for-replication'));
  const scanGate = parseScanGate(input);
  if (scanGate !== undefined && mode === 'none') {
    throw new InputError(
      'scan-fail-on',
      scanGate.failOn,
      'gates an image this step pushes: use it with build, source-image or merge-digests',
    );
  }
  if (replication !== undefined && mode === 'none') {
    throw new InputError(
      'wait-for-replication',
      input('wait-for-replication'),
      'waits for an image this step pushes: use it with build, source-image or merge-digests',
    );
  }
  const inputs: BuildInputs = {
    ...(replication === undefined ? {} : { replicationTimeoutSeconds: replication }),
    ...(scanGate === undefined ? {} : { scanGate }),
    mode,
    pushByDigest,
    mergeDigests,
    skipExisting,
    ...(sourceImage === undefined ? {} : { sourceImage }),
    ...(sourceRegistry === undefined ? {} : { sourceRegistry }),
    context,
    buildArgs: parseBuildArgs(input('build-args')),
    labelBuildArgs: parseBoolean('label-build-args', input('label-build-args'), true),
    platforms: parsePlatforms(input('platforms')),
    cache: parseCache(input('cache')),
    cacheFrom: parseLines(input('cache-from')),
    cacheTo: parseLines(input('cache-to')),
    provenance: parseProvenance(input('provenance')),
    sbom: parseBoolean('sbom', input('sbom'), false),
    lambda: parseBoolean('lambda', input('lambda'), false),
    ...parseBuilder(input('builder')),
    push: oneOf('push', input('push'), ['auto', 'true', 'false'] as const, 'auto'),
    secrets: parseSecrets(input('secrets')),
    options: parseBuildOptions(input),
  };
  if (inputs.lambda) checkLambda(inputs);
  if (mode === 'merge' && inputs.lambda) {
    throw new InputError(
      'lambda',
      'true',
      'a merge writes an image index, which Lambda cannot run: drop lambda, or merge-digests',
    );
  }
  const target = parseTarget(input('target'));
  if (target !== undefined) inputs.target = target;
  if (mode === 'build') {
    const file = resolveFile(input('file'), context, env);
    if (file !== undefined) inputs.file = file;
  }
  if (mode !== 'build') {
    // Build settings without a build are a mistake the user wants to hear about, not silently ignore.
    const unused = [
      'file',
      'target',
      'build-args',
      'platforms',
      'cache',
      'cache-from',
      'cache-to',
      'secrets',
      'sbom',
      'lambda',
      'load',
      'no-cache',
      'pull',
      'build-contexts',
      'ssh',
      'annotations',
      'network',
      'add-hosts',
      'shm-size',
      'ulimit',
      'secret-files',
      'secret-envs',
      'allow',
    ];
    const first = unused.find((name) => !['', 'false', 'none'].includes(input(name).trim().toLowerCase()));
    if (first !== undefined) {
      throw new InputError(
        first,
        // A secret's value is not masked yet: it is never repeated.
        first === 'secrets' ? '(not shown)' : input(first),
        `only used with 'build: true'${mode === 'source-image' ? ' (source-image pushes an image built earlier)' : mode === 'merge' ? ' (merge-digests builds nothing)' : ''}`,
      );
    }
  }
  return inputs;
}
