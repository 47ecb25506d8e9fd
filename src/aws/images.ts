/**
 * The images in a repository: what the tag planner needs to know about them (tags, and the config digest
 * that says two manifests hold the same image), and the clean-up of untagged ones.
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  paginateDescribeImages,
  paginateListImages,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import type { ExistingImage } from '../repository/tag-plan/index.js';
import { manifestLinks, planCleanup, type ImageFacts } from '../repository/cleanup-plan.js';
import { configDigestOf, INDEX_TYPES, MANIFEST_TYPES, mediaTypeIn } from '../registry/manifests.js';

// The one manifest parser, for callers that know it from here.
export { configDigestOf };
import { ecrCall, repositoryIdOf, type RepositoryTarget } from './repository.js';

/** ECR takes at most 100 image IDs in one BatchGetImage or BatchDeleteImage. */
export const IMAGE_BATCH_SIZE = 100;
/** The largest page DescribeImages and ListImages give: fewer calls on big repositories. */
const PAGE_SIZE = 1000;

export interface ConfigDigestsOptions extends RepositoryTarget {
  /** Manifest digests to look up. */
  digests: readonly string[];
}

export interface DeleteUntaggedOptions extends RepositoryTarget {
  /** List what would be deleted and delete nothing. */
  dryRun: boolean;
  /** Untagged digests to leave alone: the platform manifests a tagged index still refers to. */
  keep?: ReadonlySet<string>;
}

export interface DeleteFailure {
  digest: string;
  /** ECR's failure code and reason, e.g. `ImageReferencedByManifestList: ...`. */
  reason: string;
}

export interface UntaggedCleanup {
  /** Untagged digests, minus the ones kept: what was (or, in a dry run, would be) deleted. */
  found: string[];
  deleted: string[];
  /** Images ECR refused to delete; reported, not thrown, so one stuck image does not fail the push. */
  failures: DeleteFailure[];
  /** Untagged, kept: the children of a kept index. */
  keptChildren: string[];
  /** Untagged, kept: signatures, SBOMs and attestations (`subject`) of a kept image. */
  keptReferrers: string[];
  /** Referrers of images that are gone or going: among `found`. */
  orphanedReferrers: string[];
  /** Listed by ListImages as untagged, yet DescribeImages shows a tag: never deleted. */
  taggedAfterAll: string[];
}

/** Every image in the repository with its tags, over all DescribeImages pages. */
export async function listImages(client: ECRClient, target: RepositoryTarget): Promise<ExistingImage[]> {
  return ecrCall(client, target, 'ecr:DescribeImages', async () => {
    const images: ExistingImage[] = [];
    const pages = paginateDescribeImages(
      { client, pageSize: PAGE_SIZE, stopOnSameToken: true },
      repositoryIdOf(target),
    );
    for await (const page of pages) {
      for (const detail of page.imageDetails ?? []) {
        if (detail.imageDigest) images.push({ digest: detail.imageDigest, tags: detail.imageTags ?? [] });
      }
    }
    return images;
  });
}

/**
 * Manifest digest → the digest of the image config it names. An index (multi-platform) has no config of its
 * own and is left out, as are digests ECR no longer has.
 */
export async function configDigests(
  client: ECRClient,
  options: ConfigDigestsOptions,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const batch of batches([...new Set(options.digests)])) {
    const response = await ecrCall(client, options, 'ecr:BatchGetImage', () =>
      client.send(
        new BatchGetImageCommand({
          ...repositoryIdOf(options),
          imageIds: batch.map((imageDigest) => ({ imageDigest })),
          acceptedMediaTypes: MANIFEST_TYPES,
        }),
      ),
    );
    for (const image of response.images ?? []) {
      const digest = image.imageId?.imageDigest;
      const config = configDigestOf(image.imageManifest);
      if (digest !== undefined && config !== undefined) found.set(digest, config);
    }
  }
  return found;
}

/** ECR's index media types: what Lambda cannot run. */
export const INDEX_MEDIA_TYPES = INDEX_TYPES;

export interface ReadBackOptions extends RepositoryTarget {
  digest: string;
  /** Read-after-write: how often to ask again while ECR does not have the manifest yet. */
  attempts?: number;
  delayMs?: number;
}

/**
 * The media type ECR stores a just-pushed manifest under. Right after a push ECR may not find it yet (its
 * read-after-write window): that is asked again, briefly, not reported as a failure. Undefined when it
 * is still not there after every attempt.
 */
export async function pushedManifestType(
  client: ECRClient,
  options: ReadBackOptions,
): Promise<string | undefined> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const response = await ecrCall(client, options, 'ecr:BatchGetImage', () =>
      client.send(
        new BatchGetImageCommand({
          ...repositoryIdOf(options),
          imageIds: [{ imageDigest: options.digest }],
          acceptedMediaTypes: MANIFEST_TYPES,
        }),
      ),
    );
    const image = response.images?.[0];
    const type = image?.imageManifestMediaType ?? mediaTypeIn(image?.imageManifest);
    if (type !== undefined) return type;
    if (attempt < attempts)
      await new Promise((resolve) => setTimeout(resolve, (options.delayMs ?? 500) * attempt));
  }
  return undefined;
}

/** Every image with its tags and manifest media type, over all DescribeImages pages. */
async function describeAll(
  client: ECRClient,
  target: RepositoryTarget,
): Promise<{ digest: string; tags: string[]; mediaType?: string }[]> {
  return ecrCall(client, target, 'ecr:DescribeImages', async () => {
    const images: { digest: string; tags: string[]; mediaType?: string }[] = [];
    const pages = paginateDescribeImages(
      { client, pageSize: PAGE_SIZE, stopOnSameToken: true },
      repositoryIdOf(target),
    );
    for await (const page of pages) {
      for (const detail of page.imageDetails ?? []) {
        if (!detail.imageDigest) continue;
        images.push({
          digest: detail.imageDigest,
          tags: detail.imageTags ?? [],
          ...(detail.imageManifestMediaType ? { mediaType: detail.imageManifestMediaType } : {}),
        });
      }
    }
    return images;
  });
}

/** Manifest digest → its text, for the digests given (BatchGetImage, batches of 100). */
async function manifestTexts(
  client: ECRClient,
  target: RepositoryTarget,
  digests: readonly string[],
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const batch of batches([...new Set(digests)])) {
    const response = await ecrCall(client, target, 'ecr:BatchGetImage', () =>
      client.send(
        new BatchGetImageCommand({
          ...repositoryIdOf(target),
          imageIds: batch.map((imageDigest) => ({ imageDigest })),
          acceptedMediaTypes: MANIFEST_TYPES,
        }),
      ),
    );
    for (const image of response.images ?? []) {
      const digest = image.imageId?.imageDigest;
      if (digest !== undefined && image.imageManifest !== undefined) texts.set(digest, image.imageManifest);
    }
  }
  return texts;
}

/**
 * Deletes the repository's untagged images that nothing kept refers to (cleanup-plan.ts), except those
 * in `keep`, in batches ECR accepts. ListImages' untagged filter only names candidates: each one's tags
 * are checked in DescribeImages first, since an image with a tag is never deleted.
 */
export async function deleteUntaggedImages(
  client: ECRClient,
  options: DeleteUntaggedOptions,
): Promise<UntaggedCleanup> {
  const keep = options.keep ?? new Set<string>();
  const candidates = await listUntaggedDigests(client, options);
  const empty = { keptChildren: [], keptReferrers: [], orphanedReferrers: [], taggedAfterAll: [] };
  if (candidates.length === 0) return { found: [], deleted: [], failures: [], ...empty };
  const described = await describeAll(client, options);
  const tagsOf = new Map(described.map((image) => [image.digest, image.tags]));
  const taggedAfterAll = candidates.filter((digest) => (tagsOf.get(digest) ?? []).length > 0);
  // Manifests to read: every index (its children) and every untagged image (its subject).
  const reads = [
    ...described
      .filter((image) => image.tags.length === 0 || INDEX_MEDIA_TYPES.includes(image.mediaType ?? ''))
      .map((image) => image.digest),
    ...candidates.filter((digest) => !tagsOf.has(digest)),
  ];
  const texts = await manifestTexts(client, options, reads);
  const facts: ImageFacts[] = [
    ...described,
    ...candidates.filter((digest) => !tagsOf.has(digest)).map((digest) => ({ digest, tags: [] })),
  ].map((image) => ({ digest: image.digest, tags: image.tags, ...manifestLinks(texts.get(image.digest)) }));
  const plan = planCleanup(facts);
  const untagged = new Set(candidates.filter((digest) => !taggedAfterAll.includes(digest)));
  const found = plan.remove.filter((digest) => untagged.has(digest) && !keep.has(digest));
  const cleanup: UntaggedCleanup = {
    found,
    deleted: [],
    failures: [],
    keptChildren: plan.keptChildren,
    keptReferrers: plan.keptReferrers,
    orphanedReferrers: plan.orphanedReferrers.filter((digest) => found.includes(digest)),
    taggedAfterAll,
  };
  if (options.dryRun) return cleanup;
  for (const batch of batches(found)) {
    const response = await ecrCall(client, options, 'ecr:BatchDeleteImage', () =>
      client.send(
        new BatchDeleteImageCommand({
          ...repositoryIdOf(options),
          imageIds: batch.map((imageDigest) => ({ imageDigest })),
        }),
      ),
    );
    for (const { imageDigest } of response.imageIds ?? []) {
      if (imageDigest !== undefined) cleanup.deleted.push(imageDigest);
    }
    for (const failure of response.failures ?? []) {
      cleanup.failures.push({
        digest: failure.imageId?.imageDigest ?? '(no digest given)',
        reason: [failure.failureCode, failure.failureReason].filter(Boolean).join(': ') || 'no reason given',
      });
    }
  }
  return cleanup;
}

async function listUntaggedDigests(client: ECRClient, target: RepositoryTarget): Promise<string[]> {
  return ecrCall(client, target, 'ecr:ListImages', async () => {
    const digests = new Set<string>();
    const pages = paginateListImages(
      { client, pageSize: PAGE_SIZE, stopOnSameToken: true },
      { ...repositoryIdOf(target), filter: { tagStatus: 'UNTAGGED' } },
    );
    for await (const page of pages) {
      for (const { imageDigest } of page.imageIds ?? []) {
        if (imageDigest !== undefined) digests.add(imageDigest);
      }
    }
    return [...digests];
  });
}

function batches<T>(items: readonly T[], size = IMAGE_BATCH_SIZE): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
