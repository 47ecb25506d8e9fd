// The images of the stand-in's repositories and the operations on them (DescribeImages, ListImages,
// BatchGetImage, BatchDeleteImage). When the repository's account has a local registry behind its
// proxyEndpoint (http://127.0.0.1:PORT, user AWS and the account's password), the images pushed there
// are read over the registry's HTTP API v2; images only a test knows of (untagged ones, which a registry
// cannot list) are seeded in memory with seedImages().
import { createHash } from 'node:crypto';
import { errors } from './ecr-api-errors.mjs';
import { paginate, requireRepository } from './ecr-api-repositories.mjs';
import { registryFetch } from './registry.mjs';

export const MANIFEST_TYPES = {
  dockerV2: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
};
const ALL_MANIFEST_TYPES = Object.values(MANIFEST_TYPES);
const INDEX_TYPES = [MANIFEST_TYPES.dockerList, MANIFEST_TYPES.ociIndex];
/** ECR's limit on image IDs in one BatchGetImage or BatchDeleteImage. */
const MAX_IMAGE_IDS = 100;

function sha256(text) {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The local registry behind the repository's account, or null when its proxyEndpoint is not one. */
function registryOf(state, record) {
  const account = state.knownAccount(record.accountId, record.region);
  const host = /^http:\/\/(127\.0\.0\.1:\d+)\/?$/.exec(account?.proxyEndpoint ?? '')?.[1];
  return host ? { host, password: account.password } : null;
}

/** The manifest text of a seeded image: the one given, else an image manifest naming its config. */
function seededManifest(image) {
  if (typeof image.manifest === 'string') return image.manifest;
  return JSON.stringify(
    image.manifest ?? {
      schemaVersion: 2,
      mediaType: MANIFEST_TYPES.dockerV2,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: image.configDigest ?? sha256(`config of ${image.digest}`),
        size: 0,
      },
      layers: [],
    },
  );
}

/**
 * Adds images that live only in the stand-in (a test's seed).
 * @param {object} record a repository from the store
 * @param {Array<{digest: string, tags?: string[], configDigest?: string, manifest?: object|string, mediaType?: string, pushedAt?: Date}>} images
 */
export function seedImages(record, images) {
  for (const image of images) {
    if (!/^sha256:[0-9a-f]{64}$/.test(image.digest ?? '')) {
      throw new Error(`seedImages: bad digest ${image.digest}`);
    }
    const tags = image.tags ?? [];
    // A tag names one image: seeding it on another moves it, as a push would.
    for (const other of record.images.values()) other.tags = other.tags.filter((tag) => !tags.includes(tag));
    const manifest = seededManifest(image);
    record.images.set(image.digest, {
      digest: image.digest,
      tags: [...tags],
      mediaType: image.mediaType ?? parseJson(manifest)?.mediaType ?? MANIFEST_TYPES.dockerV2,
      manifest,
      pushedAt: image.pushedAt ?? new Date(),
    });
  }
}

async function fetchManifest(registry, name, reference) {
  const res = await registryFetch(registry, `/v2/${name}/manifests/${reference}`, {
    headers: { accept: ALL_MANIFEST_TYPES.join(', ') },
  });
  const text = await res.text();
  if (res.status === 404) return null;
  if (!res.ok) throw errors.server();
  return {
    digest: res.headers.get('docker-content-digest') ?? sha256(text),
    mediaType: res.headers.get('content-type')?.split(';')[0] ?? MANIFEST_TYPES.dockerV2,
    manifest: text,
  };
}

async function registryTags(registry, name) {
  const res = await registryFetch(registry, `/v2/${name}/tags/list`);
  if (res.status === 404) {
    await res.arrayBuffer();
    return [];
  }
  if (!res.ok) throw errors.server();
  return ((await res.json()).tags ?? []).sort();
}

/**
 * The registry's images as ECR would list them: each tagged manifest with its tags, plus, untagged,
 * the platform manifests of an index and manifests seen earlier that have since lost their last tag.
 */
async function readRegistryImages(registry, record) {
  const found = new Map();
  const add = (fetched, tag) => {
    if (!fetched) return;
    const image = found.get(fetched.digest) ?? { ...fetched, tags: [] };
    if (tag !== undefined) image.tags.push(tag);
    found.set(fetched.digest, image);
  };
  for (const tag of await registryTags(registry, record.name)) {
    add(await fetchManifest(registry, record.name, tag), tag);
  }
  for (const index of [...found.values()].filter((image) => INDEX_TYPES.includes(image.mediaType))) {
    for (const child of parseJson(index.manifest)?.manifests ?? []) {
      if (!found.has(child.digest)) add(await fetchManifest(registry, record.name, child.digest));
    }
  }
  for (const digest of record.seenDigests.keys()) {
    if (found.has(digest)) continue;
    const fetched = await fetchManifest(registry, record.name, digest);
    if (fetched) add(fetched);
    else record.seenDigests.delete(digest);
  }
  const now = new Date();
  for (const image of found.values()) {
    if (!record.seenDigests.has(image.digest)) record.seenDigests.set(image.digest, now);
    image.pushedAt = record.seenDigests.get(image.digest);
    image.inRegistry = true;
  }
  return [...found.values()];
}

/** Every image of the repository, registry first (its tags win over a seed's), by digest. */
export async function listImageRecords(state, record) {
  const registry = registryOf(state, record);
  const fromRegistry = registry ? await readRegistryImages(registry, record) : [];
  const registryDigests = new Set(fromRegistry.map((image) => image.digest));
  const registryTags = new Set(fromRegistry.flatMap((image) => image.tags));
  const seeded = [...record.images.values()]
    .filter((image) => !registryDigests.has(image.digest))
    .map((image) => ({ ...image, tags: image.tags.filter((tag) => !registryTags.has(tag)) }));
  return [...fromRegistry, ...seeded].sort((a, b) => (a.digest < b.digest ? -1 : 1));
}

function matchesTagStatus(image, tagStatus = 'ANY') {
  if (tagStatus === 'TAGGED') return image.tags.length > 0;
  if (tagStatus === 'UNTAGGED') return image.tags.length === 0;
  if (tagStatus === 'ANY') return true;
  throw errors.invalidParameter(
    `Invalid parameter at 'tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'`,
  );
}

/** The image an ImageIdentifier names, or the failure code BatchGetImage / BatchDeleteImage report. */
function resolveImageId(images, imageId = {}) {
  const { imageDigest, imageTag } = imageId;
  if (!imageDigest && !imageTag) {
    return {
      failure: ['MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null'],
    };
  }
  const byDigest = imageDigest && images.find((image) => image.digest === imageDigest);
  const byTag = imageTag && images.find((image) => image.tags.includes(imageTag));
  if (imageDigest && imageTag && byDigest && byTag && byDigest !== byTag) {
    return {
      failure: [
        'ImageTagDoesNotMatchDigest',
        'Invalid request parameters: given tag does not match given digest',
      ],
    };
  }
  const image = imageDigest ? byDigest : byTag;
  if (!image || (imageTag && !byTag)) return { failure: ['ImageNotFound', 'Requested image not found'] };
  return { image };
}

function requireImageIds(imageIds) {
  if (!Array.isArray(imageIds) || imageIds.length === 0 || imageIds.length > MAX_IMAGE_IDS) {
    throw errors.invalidParameter(
      `Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length between 1 and ${MAX_IMAGE_IDS}'`,
    );
  }
}

const failureOf = (imageId, [failureCode, failureReason]) => ({ imageId, failureCode, failureReason });

/** The index digests among `images` that still list `digest` as one of their platform manifests. */
function indexesReferring(images, digest) {
  return images
    .filter((image) => INDEX_TYPES.includes(image.mediaType))
    .filter((image) => (parseJson(image.manifest)?.manifests ?? []).some((child) => child.digest === digest))
    .map((image) => image.digest);
}

async function deleteImage(state, record, image) {
  const registry = image.inRegistry ? registryOf(state, record) : null;
  if (registry) {
    const res = await registryFetch(registry, `/v2/${record.name}/manifests/${image.digest}`, {
      method: 'DELETE',
    });
    await res.arrayBuffer();
    if (!res.ok && res.status !== 404) throw errors.server();
    record.seenDigests.delete(image.digest);
  }
  record.images.delete(image.digest);
}

/** ListImages' entries for an image: one per tag, or one without a tag for an untagged image. */
function imageIdsOf(image) {
  return image.tags.length > 0
    ? image.tags.map((imageTag) => ({ imageDigest: image.digest, imageTag }))
    : [{ imageDigest: image.digest }];
}

/**
 * Deletes what one ImageIdentifier names, as ECR does: by digest, the image with all its tags; by tag
 * alone, that tag, and the image with its last tag. `images` is kept current for the IDs that follow.
 * Answers the deleted IDs, or the failure to report.
 */
async function deleteImageId(state, record, images, imageId) {
  const { image, failure } = resolveImageId(images, imageId);
  if (failure) return { failure };
  const referrers = indexesReferring(images, image.digest);
  if (referrers.length > 0) {
    return {
      failure: [
        'ImageReferencedByManifestList',
        `Requested image referenced by manifest list: [${referrers.join(', ')}]`,
      ],
    };
  }
  if (!imageId.imageDigest && image.tags.length > 1) {
    // Distribution 2.8 has no call to remove one tag; seeded images can.
    if (image.inRegistry) {
      return {
        failure: ['InvalidImageTag', 'the stand-in cannot remove one of several tags of a registry image'],
      };
    }
    const seeded = record.images.get(image.digest);
    seeded.tags = seeded.tags.filter((tag) => tag !== imageId.imageTag);
    image.tags = image.tags.filter((tag) => tag !== imageId.imageTag);
    return { deleted: [{ imageDigest: image.digest, imageTag: imageId.imageTag }] };
  }
  await deleteImage(state, record, image);
  images.splice(images.indexOf(image), 1);
  return { deleted: imageIdsOf(image) };
}

export const imageHandlers = {
  async DescribeImages(ctx) {
    const record = requireRepository(ctx);
    const images = await listImageRecords(ctx.state, record);
    const { imageIds, filter } = ctx.body;
    let page;
    let nextToken;
    if (imageIds !== undefined) {
      if (ctx.body.nextToken !== undefined || ctx.body.maxResults !== undefined) {
        throw errors.invalidParameter('nextToken and maxResults cannot be used with imageIds');
      }
      page = imageIds.map((imageId) => {
        const { image } = resolveImageId(images, imageId);
        if (!image) throw errors.imageNotFound(imageId, record.name, record.accountId);
        return image;
      });
    } else {
      ({ page, nextToken } = paginate(
        images.filter((image) => matchesTagStatus(image, filter?.tagStatus)),
        ctx.body,
      ));
    }
    return {
      imageDetails: page.map((image) => ({
        registryId: record.accountId,
        repositoryName: record.name,
        imageDigest: image.digest,
        // ECR leaves the field out for an untagged image rather than sending [].
        ...(image.tags.length > 0 && { imageTags: image.tags }),
        // The manifest's own size: the layers are the registry's business, and no caller reads this.
        imageSizeInBytes: Buffer.byteLength(image.manifest),
        imagePushedAt: image.pushedAt.getTime() / 1000,
        imageManifestMediaType: image.mediaType,
      })),
      ...(nextToken && { nextToken }),
    };
  },

  async ListImages(ctx) {
    const record = requireRepository(ctx);
    const images = await listImageRecords(ctx.state, record);
    const entries = images
      .filter((image) => matchesTagStatus(image, ctx.body.filter?.tagStatus))
      .flatMap(imageIdsOf);
    const { page, nextToken } = paginate(entries, ctx.body);
    return { imageIds: page, ...(nextToken && { nextToken }) };
  },

  async BatchGetImage(ctx) {
    const record = requireRepository(ctx);
    requireImageIds(ctx.body.imageIds);
    const accepted = ctx.body.acceptedMediaTypes;
    const images = await listImageRecords(ctx.state, record);
    const found = [];
    const failures = [];
    for (const imageId of ctx.body.imageIds) {
      const { image, failure } = resolveImageId(images, imageId);
      if (failure) failures.push(failureOf(imageId, failure));
      // What ECR answers for a type the caller does not accept is not documented; a registry says 404.
      else if (accepted && !accepted.includes(image.mediaType)) {
        failures.push(
          failureOf(imageId, [
            'ImageNotFound',
            `The image is ${image.mediaType}, not one of acceptedMediaTypes`,
          ]),
        );
      } else {
        found.push({
          registryId: record.accountId,
          repositoryName: record.name,
          imageId: { imageDigest: image.digest, ...(imageId.imageTag && { imageTag: imageId.imageTag }) },
          imageManifest: image.manifest,
          imageManifestMediaType: image.mediaType,
        });
      }
    }
    return { images: found, failures };
  },

  async BatchDeleteImage(ctx) {
    const record = requireRepository(ctx);
    requireImageIds(ctx.body.imageIds);
    const images = await listImageRecords(ctx.state, record);
    const deleted = [];
    const failures = [];
    for (const imageId of ctx.body.imageIds) {
      const outcome = await deleteImageId(ctx.state, record, images, imageId);
      if (outcome.failure) failures.push(failureOf(imageId, outcome.failure));
      else deleted.push(...outcome.deleted);
    }
    return { imageIds: deleted, failures };
  },
};
