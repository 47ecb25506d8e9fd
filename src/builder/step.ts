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
  removeLocalImage,
  saveImageLayout,
  usesContainerdStore,
  tagImage,
  type BuiltImage,
} from './docker.js';
import { ActionError, InputError } from '../shared/errors.js';
import { withTempDir } from '../shared/temp-dir.js';
import type { Labels } from '../image/labels.js';
import { imageReference, imageReferences, repositoryReference } from '../image/outputs.js';
import type { NewImage } from '../repository/tag-plan/index.js';
import { isTagImmutable } from '../repository/policies/tag-mutability.js';
import type { PushTarget } from '../repository/step.js';
import type { Severity, Verdict } from '../repository/scan-gate.js';
import { RegistryClient, type RegistryLogin } from '../registry/client.js';
import {
  copyImage,
  emptyCount,
  requireManifests,
  layoutPlatforms,
  pushLayout,
  readChildren,
  tagManifest,
} from '../registry/images.js';
import {
  imageIndex,
  type DigestEntry,
  type ManifestBytes,
  type RegistryReference,
} from '../registry/manifests.js';

export type Builder =
  /** `instance`: a named buildx builder (`builder: NAME`); `viaContext` for a docker-driver one. */
  | {
      kind: 'buildx';
      instance?: BuilderInstance;
      /** The builder's driver, asked for when it matters (push-by-digest: `docker` exports no layout). */
      driver?: string;
    }
  | { kind: 'docker' }
  /** `idIsDigest`: the containerd store names a local image by its manifest digest, the classic one by its config. */
  | { kind: 'source'; image: string; imageId: string; idIsDigest: boolean }
  /** `source-image` naming a registry image docker does not hold: promoted over the registry API. */
  | { kind: 'promote'; source: RegistryReference; manifest?: ManifestBytes }
  /** `merge-digests`: one index over digests other jobs pushed. */
  | { kind: 'merge'; entries: DigestEntry[] };

/** The tag BuildKit's registry cache is kept under with `cache: ecr`; it moves with every build. */
export const CACHE_TAG = 'buildcache';

const BUILDX_FIX = 'add docker/setup-buildx-action before this step (GitHub-hosted runners have buildx)';

/**
 * Before the login: which builder runs, and whether it can do what the inputs ask. A missing buildx or a
 * missing source image fails here, before anything is changed.
 */
export async function chooseBuilder(inputs: BuildInputs): Promise<Builder> {
  if (inputs.mode === 'merge') return { kind: 'merge', entries: inputs.mergeDigests };
  if (inputs.mode === 'source-image') {
    const image = inputs.sourceImage ?? '';
    const remote = inputs.sourceRegistry;
    // A registry reference is promoted without docker, unless docker holds that image (then it is pushed
    // from there, as before): a runner for promotions needs no daemon.
    const imageId = remote ? await localImageId(image).catch(() => undefined) : await localImageId(image);
    if (imageId === undefined && remote) return { kind: 'promote', source: remote };
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
    if (name === undefined) {
      if (!inputs.pushByDigest && !inputs.scanGate) return { kind: 'buildx' };
      const driver = await buildxBuilderDriver();
      return { kind: 'buildx', ...(driver === undefined ? {} : { driver }) };
    }
    const driver = await buildxBuilderDriver(name);
    if (driver === undefined) {
      throw new InputError(
        'builder',
        name,
        "buildx has no builder of that name: create it first (docker/setup-buildx-action, or 'docker buildx create --name'), see 'docker buildx ls'",
      );
    }
    // buildx reaches a docker-driver builder through its docker context, every other one by --builder.
    return { kind: 'buildx', instance: { name, viaContext: driver === 'docker' }, driver };
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
  if (builder.kind === 'promote') {
    const { host, repository, reference } = builder.source;
    return `promote ${host}/${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference} over the registry API (no docker)`;
  }
  if (builder.kind === 'merge') {
    return `merge ${builder.entries.length} digest${builder.entries.length === 1 ? '' : 's'} into one image index (no docker)`;
  }
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
  /** The tags to push, and the same as full references. */
  tags: string[];
  push: string[];
}

export interface PushedReference {
  reference: string;
  digest: string;
}

export interface BuildResult {
  builder: Builder['kind'];
  imageId: string;
  /** push-by-digest: each platform's digest, for merge-digests. */
  digests?: DigestEntry[];
  /** The scan gate's verdict, when there was a gate and the image passed it. */
  scan?: { failOn: Severity; verdict: Verdict };
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
  /** The login of each registry host, for the registry API (merge, promote, push-by-digest read-back). */
  logins: RegistryLogin[];
}

function clientFor(context: Pick<BuildContext, 'logins'>, host: string, input: string): RegistryClient {
  const login = context.logins.find((candidate) => candidate.host === host);
  if (login === undefined) {
    throw new InputError(
      input,
      host,
      `this step did not log in to ${host}: add it to 'registries' so the step has its credentials`,
    );
  }
  return new RegistryClient(login);
}

/** Per registry, the references its plan pushes; without managed repositories, every tag in every registry. */
export function destinationsOf(target: BuildTarget): Destination[] {
  const { repository } = target;
  const destination = (host: string, tags: string[]) => ({
    host,
    tags,
    push: tags.map((tag) => imageReference(host, repository, tag)),
  });
  if (target.outcomes.length > 0) {
    return target.outcomes.map((outcome) =>
      destination(
        outcome.host,
        outcome.plan.push.map((entry) => entry.tag.name),
      ),
    );
  }
  const names = target.tags.map((tag) => tag.name);
  return target.registries.map((host) => destination(host, names));
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
  if (builder.kind === 'merge')
    return { built: await mergedIndex(context, builder.entries), pushedByBuild: false };
  if (builder.kind === 'promote')
    return { built: await promotedImage(context, builder), pushedByBuild: false };
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
    if (context.inputs.pushByDigest && context.push) {
      return { built: await buildAndPushByDigest(context, secrets), pushedByBuild: true };
    }
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
  if (context.builder.kind === 'merge' || context.builder.kind === 'promote') {
    return putOverRegistryApi(context, built, destinations);
  }
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
export function pushedByBuild(context: BuildContext, built: BuiltImage): PushedReference[] {
  const { target } = context;
  if (context.inputs.pushByDigest) {
    return target.registries.map((host) => ({
      reference: `${repositoryReference(host, target.repository)}@${built.digest ?? ''}`,
      digest: built.digest ?? '',
    }));
  }
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
    ...(built.digests === undefined || pushed.length === 0 ? {} : { digests: built.digests }),
    references: allReferences(context.target),
    pushed,
  };
}

/** merge-digests: the index over the children, read from the first registry; every other must hold them too. */
async function mergedIndex(context: BuildContext, entries: DigestEntry[]): Promise<BuiltImage> {
  const { target } = context;
  const [first, ...others] = target.registries;
  if (first === undefined) {
    throw new ActionError('merge-digests reads the digests from the registries, and this run has no login.');
  }
  const children = await readChildren(clientFor(context, first, 'merge-digests'), target.repository, entries);
  // The others only need to hold the same children: a HEAD each, their platforms are known.
  for (const host of others) {
    await requireManifests(clientFor(context, host, 'merge-digests'), target.repository, entries);
  }
  const index = imageIndex(children, context.labels);
  core.info(`Image index ${index.digest} over ${children.length} image${children.length === 1 ? '' : 's'}.`);
  return { imageId: index.digest, digest: index.digest, manifest: index };
}

/** source-image as a registry reference: its manifest, read as the registry holds it. */
async function promotedImage(
  context: BuildContext,
  { source, manifest: known }: { source: RegistryReference; manifest?: ManifestBytes },
): Promise<BuiltImage> {
  // skip-existing has read it already.
  const manifest =
    known ??
    (await clientFor(context, source.host, 'source-image').getManifest(source.repository, source.reference));
  if (manifest === undefined) {
    throw new InputError(
      'source-image',
      `${source.host}/${source.repository}:${source.reference}`,
      'the registry has no such image: check the repository and tag (or digest)',
    );
  }
  core.info(`Promoting ${manifest.digest} (${manifest.mediaType}) from ${source.host}/${source.repository}.`);
  return { imageId: manifest.digest, digest: manifest.digest, manifest, source };
}

/** Tags written over the registry API: the manifest copied where it is missing, then put under each tag. */
async function putOverRegistryApi(
  context: BuildContext,
  built: BuiltImage,
  destinations: Destination[],
): Promise<PushedReference[]> {
  const manifest: ManifestBytes | undefined = built.manifest;
  if (manifest === undefined) throw new ActionError('no manifest to push: this is a bug in the step.');
  const repository = context.target.repository;
  const pushed: PushedReference[] = [];
  for (const destination of destinations) {
    if (destination.push.length === 0) continue;
    const to = { client: clientFor(context, destination.host, 'registries'), repository };
    const source = built.source;
    if (source && (source.host !== destination.host || source.repository !== repository)) {
      const count = emptyCount();
      const from = { client: clientFor(context, source.host, 'source-image'), repository: source.repository };
      await copyImage(from, to, manifest, count);
      core.info(
        `${destination.host}/${repository}: blobs ${count.present} present, ${count.mounted} mounted, ${count.uploaded} uploaded.`,
      );
    }
    await tagManifest(to.client, repository, destination.tags, manifest);
    for (const reference of destination.push) pushed.push({ reference, digest: manifest.digest });
  }
  return pushed;
}

/**
 * push-by-digest: the build writes an OCI layout (no tag, on any buildx driver), which is pushed by
 * digest into the repository of every registry, in parallel.
 */
async function buildAndPushByDigest(context: BuildContext, secrets: string[]): Promise<BuiltImage> {
  const { target } = context;
  return withTempDir('ecr-push-layout-', async (dir) => {
    let built: BuiltImage;
    let layoutDir = dir;
    if (context.builder.kind === 'buildx' && context.builder.driver === 'docker') {
      // The docker driver exports no layout: load the image under a name of the step's own, save it.
      const local = `ecr-push-by-digest:${path
        .basename(dir)
        .replace(/[^a-z0-9]/gi, '')
        .toLowerCase()}`;
      built = await buildWithBuildx(requestOf(context, [local], secrets), 'load');
      try {
        await saveImageLayout(local, dir);
      } finally {
        await removeLocalImage(local);
      }
      layoutDir = path.join(dir, 'layout');
    } else {
      built = await buildWithBuildx(requestOf(context, [], secrets), 'oci-layout', dir);
    }
    const digests = await Promise.all(
      target.registries.map(async (host) => {
        const count = emptyCount();
        const digest = await pushLayout(
          clientFor(context, host, 'registries'),
          target.repository,
          layoutDir,
          count,
        );
        core.info(
          `Pushed ${repositoryReference(host, target.repository)}@${digest} by digest (blobs: ${count.uploaded} uploaded, ${count.present} present).`,
        );
        return digest;
      }),
    );
    const digest = digests[0] ?? built.digest;
    return {
      ...built,
      ...(digest === undefined ? {} : { digest }),
      digests: await layoutPlatforms(layoutDir),
    };
  });
}

/**
 * skip-existing: the commit's image, looked up by its sha tag in every registry. Undefined when no
 * registry has it (then it is built); else a promotion from the first registry that has it, so nothing
 * is built, the missing tags are added and a registry that lacks the image gets a copy.
 */
export async function existingCommitImage(
  target: BuildTarget,
  logins: RegistryLogin[],
  commitTag: string,
): Promise<Builder | undefined> {
  const found = await Promise.all(
    target.registries.map(async (host) => {
      const client = clientFor({ logins }, host, 'registries');
      return { host, manifest: await client.getManifest(target.repository, commitTag) };
    }),
  );
  const holding = found.filter((entry) => entry.manifest !== undefined);
  const first = holding[0];
  if (first?.manifest === undefined) {
    core.info(`skip-existing: no registry has ${target.repository}:${commitTag} yet: building.`);
    return undefined;
  }
  const other = holding.find((entry) => entry.manifest?.digest !== first.manifest?.digest);
  if (other) {
    throw new ActionError(
      `skip-existing: ${target.repository}:${commitTag} is ${first.manifest.digest} in ${first.host} but ${other.manifest?.digest ?? ''} in ${other.host}: ` +
        'the registries hold different images for one commit. Fix: delete the wrong one, or build with skip-existing: false.',
    );
  }
  const missing = found.filter((entry) => entry.manifest === undefined).map((entry) => entry.host);
  core.info(
    missing.length === 0
      ? `skip-existing: ${target.repository}:${commitTag} is ${first.manifest.digest} in every registry: nothing is built, only missing tags are added.`
      : `skip-existing: ${target.repository}:${commitTag} is ${first.manifest.digest} in ${first.host}; copying it to ${missing.join(', ')} instead of building.`,
  );
  return {
    kind: 'promote',
    source: { host: first.host, repository: target.repository, reference: commitTag },
    manifest: first.manifest,
  };
}

/** The tag skip-existing looks the commit's image up by: the `type=sha` rule's. Checked before the login. */
export function skipExistingTag(tags: { name: string; kind: string }[]): string {
  const tag = tags.find((candidate) => candidate.kind === 'sha');
  if (tag === undefined) {
    throw new InputError(
      'skip-existing',
      'true',
      "looks the commit's image up by its sha tag: add 'type=sha' to tags",
    );
  }
  return tag.name;
}
