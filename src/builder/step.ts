/**
 * Build (or take an image built earlier) and push it to every registry of the login, following the tag plan
 * of each repository. The orchestration calls buildImage, settles the plans (repository/step.ts), then calls
 * pushImages; the docker commands live in builder/docker.ts.
 */
import * as core from '@actions/core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { buildxOnlyInputs, buildxPlatforms, type BuildInputs } from './inputs.js';
import { ecrCacheArgs, type BuildRequest, type BuilderInstance } from './docker-args.js';
import {
  assertDockerCli,
  buildClassic,
  buildxBuilderDriver,
  buildWithBuildx,
  hasBuildx,
  localImageId,
  pushImage,
  usesContainerdStore,
  tagImage,
  type BuiltImage,
} from './docker.js';
import { ActionError, InputError } from '../shared/errors.js';
import { withTempDir } from '../shared/temp-dir.js';
import type { Labels } from '../image/labels.js';
import { imageReference, imageReferences } from '../image/outputs.js';
import type { NewImage } from '../repository/tag-plan/index.js';
import { isTagImmutable } from '../repository/policies/tag-mutability.js';
import type { PushTarget } from '../repository/step.js';

export type Builder =
  /** `instance`: a named buildx builder (`builder: NAME`); `viaContext` for a docker-driver one. */
  | { kind: 'buildx'; instance?: BuilderInstance }
  | { kind: 'docker' }
  /** `idIsDigest`: the containerd store names a local image by its manifest digest, the classic one by its config. */
  | { kind: 'source'; image: string; imageId: string; idIsDigest: boolean };

/** The tag BuildKit's registry cache is kept under with `cache: ecr`; it moves with every build. */
export const CACHE_TAG = 'buildcache';

const BUILDX_FIX = 'add docker/setup-buildx-action before this step (GitHub-hosted runners have buildx)';

/**
 * Before the login: which builder runs, and whether it can do what the inputs ask. A missing buildx or a
 * missing source image fails here, before anything is changed.
 */
export async function chooseBuilder(inputs: BuildInputs): Promise<Builder> {
  if (inputs.mode === 'source-image') {
    const image = inputs.sourceImage ?? '';
    const imageId = await localImageId(image);
    if (imageId === undefined) {
      throw new InputError(
        'source-image',
        image,
        'docker has no such image: build or pull it earlier in the job, or use build: true',
      );
    }
    return { kind: 'source', image, imageId, idIsDigest: await usesContainerdStore() };
  }
  const buildxOnly = buildxOnlyInputs(inputs);
  if (inputs.builder === 'docker') {
    if (buildxOnly[0] !== undefined) {
      throw new InputError(
        'builder',
        'docker',
        `${buildxOnly.join(', ')} need buildx (BuildKit): use builder: auto`,
      );
    }
    await assertDockerCli();
    return { kind: 'docker' };
  }
  if (await hasBuildx()) {
    const name = inputs.builderName;
    if (name === undefined) return { kind: 'buildx' };
    const driver = await buildxBuilderDriver(name);
    if (driver === undefined) {
      throw new InputError(
        'builder',
        name,
        "buildx has no builder of that name: create it first (docker/setup-buildx-action, or 'docker buildx create --name'), see 'docker buildx ls'",
      );
    }
    // buildx reaches a docker-driver builder through its docker context, every other one by --builder.
    return { kind: 'buildx', instance: { name, viaContext: driver === 'docker' } };
  }
  if (inputs.builder === 'buildx') {
    throw new InputError(
      'builder',
      inputs.builderName ?? 'buildx',
      `docker buildx is not installed here: ${BUILDX_FIX}, or use builder: auto`,
    );
  }
  if (buildxOnly[0] !== undefined) {
    throw new InputError(
      buildxOnly[0],
      '(set)',
      `${buildxOnly.join(', ')} need buildx (BuildKit) and only the classic docker builder is installed: ${BUILDX_FIX}, or remove ${buildxOnly.length === 1 ? 'it' : 'them'}`,
    );
  }
  return { kind: 'docker' };
}

export function describeBuilder(builder: Builder): string {
  if (builder.kind === 'source') return `source-image ${builder.image} (${builder.imageId})`;
  if (builder.kind === 'buildx' && builder.instance) {
    return `docker buildx build on the builder ${builder.instance.name}`;
  }
  return builder.kind === 'buildx'
    ? 'docker buildx build'
    : 'docker build (classic builder: each tag is pushed after the build)';
}

/** Where the image goes: one repository in each registry, with the tags its plan pushes. */
export interface Destination {
  host: string;
  /** Full references to push. */
  push: string[];
}

export interface PushedReference {
  reference: string;
  digest: string;
}

export interface BuildResult {
  builder: Builder['kind'];
  imageId: string;
  /** The manifest digest the registries hold (the same in each); undefined when nothing was pushed. */
  digest?: string;
  /** buildx's metadata file (JSON), for the `metadata` output. */
  metadata?: string;
  /** Every reference the image has, first the primary one: the `image` and `images` outputs. */
  references: string[];
  pushed: PushedReference[];
}

/** A push target with its repository named: what a build needs. Registries are empty without a login. */
export type BuildTarget = PushTarget & { repository: string };

export interface BuildContext {
  inputs: BuildInputs;
  builder: Builder;
  target: BuildTarget;
  labels: Labels;
  ociBuildArgs: Record<string, string>;
  /** The commit's (or the fixed `created`) time in Unix seconds; undefined: the run's time. */
  sourceDateEpoch?: number;
  push: boolean;
}

/** Per registry, the references its plan pushes; without managed repositories, every tag in every registry. */
export function destinationsOf(target: BuildTarget): Destination[] {
  const { repository } = target;
  if (target.outcomes.length > 0) {
    return target.outcomes.map((outcome) => ({
      host: outcome.host,
      push: outcome.plan.push.map((entry) => imageReference(outcome.host, repository, entry.tag.name)),
    }));
  }
  const names = target.tags.map((tag) => tag.name);
  return target.registries.map((host) => ({ host, push: imageReferences(names, [host], repository) }));
}

function buildArgsOf(context: BuildContext): [string, string][] {
  const oci = context.inputs.labelBuildArgs ? Object.entries(context.ociBuildArgs) : [];
  // The user's own build args come last: docker takes the last value of a repeated name.
  return [...oci, ...context.inputs.buildArgs];
}

function cacheArgsOf(context: BuildContext): { cacheFrom: string[]; cacheTo: string[] } {
  const { inputs, target } = context;
  const cacheFrom = [...inputs.cacheFrom];
  const cacheTo = [...inputs.cacheTo];
  const first = target.outcomes[0];
  const host = first?.host ?? target.registries[0];
  if (inputs.cache && host !== undefined) {
    const ecr = ecrCacheArgs(imageReference(host, target.repository, CACHE_TAG));
    cacheFrom.push(ecr.cacheFrom);
    if (context.push) {
      if (first && isTagImmutable(first.repository.tagMutability, CACHE_TAG)) {
        throw new ActionError(
          `cache: ecr keeps the build cache under the tag '${CACHE_TAG}', which moves with every build, but ` +
            `${first.host}/${target.repository} keeps it immutable. Fix: add '${CACHE_TAG}' to tag-mutability-exclusions ` +
            `(with IMMUTABLE_WITH_EXCLUSION), or use cache-from/cache-to with another repository.`,
        );
      }
      cacheTo.push(ecr.cacheTo);
    }
  } else if (inputs.cache) {
    core.warning('cache: ecr needs a registry, and this run has no login: building without the cache.');
  }
  return { cacheFrom, cacheTo };
}

/**
 * Runs `use` with buildx `--secret` values: NAME=VALUE secrets are written to 0600 files in a private
 * directory, removed afterwards, so a value never reaches a process argument.
 */
async function withSecrets<T>(inputs: BuildInputs, use: (secrets: string[]) => Promise<T>): Promise<T> {
  if (inputs.secrets.length === 0) return use([]);
  return withTempDir('ecr-push-secrets-', async (dir) => {
    const secrets = await Promise.all(
      inputs.secrets.map(async (secret) => {
        if ('raw' in secret) return secret.raw;
        const file = path.join(dir, `secret-${secret.id}`);
        await fs.writeFile(file, secret.value, { mode: 0o600 });
        return `id=${secret.id},src=${file}`;
      }),
    );
    return use(secrets);
  });
}

function requestOf(context: BuildContext, tags: string[], secrets: string[]): BuildRequest {
  const { inputs } = context;
  return {
    context: inputs.context,
    ...(inputs.file === undefined ? {} : { file: inputs.file }),
    ...(inputs.target === undefined ? {} : { target: inputs.target }),
    buildArgs: buildArgsOf(context),
    labels: context.labels,
    tags,
    platforms: context.builder.kind === 'buildx' ? buildxPlatforms(inputs) : inputs.platforms,
    ...cacheArgsOf(context),
    provenance: inputs.provenance,
    ...(inputs.sbom ? { sbom: true } : {}),
    // secret-files and secret-envs are in buildx's own form already.
    secrets: [...secrets, ...inputs.options.secrets.map((secret) => secret.raw)],
    options: inputs.options,
    ...(context.builder.kind === 'buildx' && context.builder.instance
      ? { builderInstance: context.builder.instance }
      : {}),
    ...(context.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: context.sourceDateEpoch }),
  };
}

/** Everything the image will be known by, the primary reference first. */
function allReferences(target: BuildTarget): string[] {
  const names = target.tags.map((tag) => tag.name);
  return imageReferences(names, target.registries, target.repository);
}

/** What the plans compare with the tags that already exist: the digests the build gave, else the image ID. */
export function newImageOf(built: BuiltImage): NewImage {
  if (built.digest !== undefined || built.configDigest !== undefined) {
    return {
      ...(built.digest === undefined ? {} : { digest: built.digest }),
      ...(built.configDigest === undefined ? {} : { configDigest: built.configDigest }),
    };
  }
  return { configDigest: built.imageId };
}

/** The build itself; with buildx and nothing left to settle, it also pushes. */
export async function buildImage(
  context: BuildContext,
): Promise<{ built: BuiltImage; pushedByBuild: boolean }> {
  const { builder, target } = context;
  const references = allReferences(target);
  if (builder.kind === 'source') {
    for (const reference of references) await tagImage(builder.image, reference);
    core.info(`Tagged ${builder.image} as ${references.join(', ')}.`);
    const built = { imageId: builder.imageId, ...(builder.idIsDigest ? { digest: builder.imageId } : {}) };
    return { built, pushedByBuild: false };
  }
  return withSecrets(context.inputs, async (secrets) => {
    if (builder.kind === 'docker') {
      return { built: await buildClassic(requestOf(context, references, secrets)), pushedByBuild: false };
    }
    // Pushed by the build itself unless an existing immutable tag must first be compared with the image.
    const open = target.outcomes.some((outcome) => outcome.plan.push.some((entry) => entry.checkAfterBuild));
    const pushes = destinationsOf(target).flatMap((destination) => destination.push);
    if (context.push && !open && pushes.length > 0) {
      return {
        built: await buildWithBuildx(requestOf(context, pushes, secrets), 'push'),
        pushedByBuild: true,
      };
    }
    const local = context.inputs.platforms.length <= 1 ? 'load' : 'cache';
    return {
      built: await buildWithBuildx(requestOf(context, references, secrets), local),
      pushedByBuild: false,
    };
  });
}

/**
 * Pushes what each registry's plan says: registries in parallel, tags one after the other (the second tag
 * of an image only uploads its manifest). With buildx, one more build (all cached) pushes everything.
 */
export async function pushImages(context: BuildContext, built: BuiltImage): Promise<PushedReference[]> {
  const destinations = destinationsOf(context.target);
  if (context.builder.kind === 'buildx') {
    const pushes = destinations.flatMap((destination) => destination.push);
    if (pushes.length === 0) return [];
    const result = await withSecrets(context.inputs, (secrets) =>
      buildWithBuildx(requestOf(context, pushes, secrets), 'push'),
    );
    return pushes.map((reference) => ({ reference, digest: result.digest ?? built.digest ?? '' }));
  }
  const perRegistry = await Promise.all(
    destinations.map(async (destination) => {
      const pushed: PushedReference[] = [];
      for (const reference of destination.push)
        pushed.push({ reference, digest: await pushImage(reference) });
      return pushed;
    }),
  );
  return perRegistry.flat();
}

/** What a build pushed by itself (buildx --push): every reference of every destination, at the built digest. */
export function pushedByBuild(target: BuildTarget, built: BuiltImage): PushedReference[] {
  return destinationsOf(target).flatMap((destination) =>
    destination.push.map((reference) => ({ reference, digest: built.digest ?? '' })),
  );
}

/**
 * The result the outputs and the summary report. `digest` is what the registries hold: the pushed digest,
 * else the one a tag already holding this image has; a build that reached no registry (a pull request)
 * has none, even when BuildKit named the digest of its local result.
 */
export function buildResultOf(
  context: BuildContext,
  built: BuiltImage,
  pushed: PushedReference[],
): BuildResult {
  const unchanged = context.target.outcomes.flatMap((outcome) => outcome.plan.unchanged)[0]?.digest;
  const digest = pushed.find((entry) => entry.digest !== '')?.digest ?? unchanged;
  return {
    builder: context.builder.kind,
    imageId: built.imageId,
    ...(digest === undefined ? {} : { digest }),
    ...(built.metadata === undefined ? {} : { metadata: built.metadata }),
    references: allReferences(context.target),
    pushed,
  };
}
