import { describe, expect, test } from '@jest/globals';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  ListImagesCommand,
  type BatchDeleteImageCommandInput,
  type BatchGetImageCommandInput,
  type DescribeImagesCommandInput,
  type ListImagesCommandInput,
} from '@aws-sdk/client-ecr';
import 'aws-sdk-client-mock-jest';
import {
  configDigestOf,
  configDigests,
  deleteUntaggedImages,
  IMAGE_BATCH_SIZE,
  listImages,
  pushedManifestType,
} from '../../src/aws/images.js';
import type { RepositoryTarget } from '../../src/aws/repository.js';
import { ActionError } from '../../src/shared/errors.js';
import { ACCOUNT, REGION, accessDenied, useMockedEcr } from '../fixtures/ecr-mock.js';

const NAME = 'team/app';
const ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${NAME}`;

/** A policy granting just `action`, so each AccessDenied message can be checked for its own. */
const policyFor = (action: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: [action], Resource: ARN }],
  });
const target: RepositoryTarget = { name: NAME, registryId: ACCOUNT, policyFor };

/** A distinct, well-formed digest for each number. */
const digest = (n: number, kind = 'a') => `sha256:${kind}${n.toString(16).padStart(63, '0')}`;
const digests = (count: number, kind = 'a') => Array.from({ length: count }, (_, n) => digest(n, kind));
const imageManifest = (config: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 100 },
    layers: [],
  });
const indexManifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(1), size: 500 }],
});

const mocked = useMockedEcr();

async function expectAccessDenied(failure: Promise<unknown>, action: string): Promise<void> {
  await expect(failure).rejects.toThrow(ActionError);
  await expect(failure).rejects.toThrow(
    `Access denied: the AWS identity may not call ${action} in eu-west-1 (repository team/app of registry 111111111111)`,
  );
  await expect(failure).rejects.toThrow(`Attach this IAM policy to the role: ${policyFor(action)}`);
}

describe('listImages', () => {
  test('reads every DescribeImages page (3 here) and returns all the images', async () => {
    const pages = [
      {
        imageDetails: [
          { imageDigest: digest(1), imageTags: ['v1.0.0', 'latest'] },
          { imageDigest: digest(2) },
        ],
        nextToken: 'page-2',
      },
      {
        imageDetails: [{ imageDigest: digest(3), imageTags: ['v0.9.0'] }, { imageTags: ['no-digest'] }],
        nextToken: 'page-3',
      },
      { imageDetails: [{ imageDigest: digest(4), imageTags: ['main'] }] },
    ];
    // The paginator reuses one input object for every page: copy it to see each call as it was sent.
    const sent: DescribeImagesCommandInput[] = [];
    mocked
      .ecr()
      .on(DescribeImagesCommand)
      .callsFake((input: DescribeImagesCommandInput) => {
        sent.push({ ...input });
        return pages[sent.length - 1];
      });

    const images = await listImages(mocked.client(), target);

    expect(images).toEqual([
      { digest: digest(1), tags: ['v1.0.0', 'latest'] },
      { digest: digest(2), tags: [] },
      { digest: digest(3), tags: ['v0.9.0'] },
      { digest: digest(4), tags: ['main'] },
    ]);
    expect(mocked.ecr()).toHaveReceivedCommandTimes(DescribeImagesCommand, 3);
    expect(sent).toEqual([
      { repositoryName: NAME, registryId: ACCOUNT, maxResults: 1000, nextToken: undefined },
      { repositoryName: NAME, registryId: ACCOUNT, maxResults: 1000, nextToken: 'page-2' },
      { repositoryName: NAME, registryId: ACCOUNT, maxResults: 1000, nextToken: 'page-3' },
    ]);
  });

  test('an empty repository has no images', async () => {
    mocked.ecr().on(DescribeImagesCommand).resolves({});
    await expect(listImages(mocked.client(), target)).resolves.toEqual([]);
  });

  test('AccessDenied names ecr:DescribeImages', async () => {
    mocked.ecr().on(DescribeImagesCommand).rejects(accessDenied('ecr:DescribeImages'));
    await expectAccessDenied(listImages(mocked.client(), target), 'ecr:DescribeImages');
  });
});

describe('configDigests', () => {
  test('asks BatchGetImage for at most 100 digests a call (250 → 100, 100, 50), every manifest format', async () => {
    const wanted = digests(250);
    mocked
      .ecr()
      .on(BatchGetImageCommand)
      .callsFake((input: BatchGetImageCommandInput) => ({
        images: (input.imageIds ?? []).map(({ imageDigest = '' }) => ({
          imageId: { imageDigest },
          imageManifest: imageManifest(imageDigest.replace('sha256:a', 'sha256:c')),
        })),
      }));

    const found = await configDigests(mocked.client(), { ...target, digests: [...wanted, wanted[0]!] });

    const calls = mocked
      .ecr()
      .commandCalls(BatchGetImageCommand)
      .map((call) => call.args[0].input);
    expect(calls.map((input) => input.imageIds?.length)).toEqual([IMAGE_BATCH_SIZE, IMAGE_BATCH_SIZE, 50]);
    expect(calls.flatMap((input) => input.imageIds?.map((id) => id.imageDigest))).toEqual(wanted);
    expect(calls[0]).toMatchObject({
      repositoryName: NAME,
      registryId: ACCOUNT,
      acceptedMediaTypes: expect.arrayContaining([
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
      ]),
    });
    expect(found.size).toBe(250);
    expect(found.get(digest(7))).toBe(digest(7, 'c'));
  });

  test('an index has no config and is left out, as are images ECR could not find', async () => {
    mocked
      .ecr()
      .on(BatchGetImageCommand)
      .resolves({
        images: [
          { imageId: { imageDigest: digest(1) }, imageManifest: imageManifest(digest(1, 'c')) },
          { imageId: { imageDigest: digest(2) }, imageManifest: indexManifest },
          { imageId: { imageDigest: digest(3) }, imageManifest: 'not json' },
        ],
        failures: [{ imageId: { imageDigest: digest(4) }, failureCode: 'ImageNotFound' }],
      });

    const found = await configDigests(mocked.client(), { ...target, digests: digests(5).slice(1) });

    expect([...found]).toEqual([[digest(1), digest(1, 'c')]]);
  });

  test('no digests: no call', async () => {
    await expect(configDigests(mocked.client(), { ...target, digests: [] })).resolves.toEqual(new Map());
    expect(mocked.ecr()).not.toHaveReceivedCommand(BatchGetImageCommand);
  });

  test('AccessDenied names ecr:BatchGetImage', async () => {
    mocked.ecr().on(BatchGetImageCommand).rejects(accessDenied('ecr:BatchGetImage'));
    await expectAccessDenied(
      configDigests(mocked.client(), { ...target, digests: [digest(1)] }),
      'ecr:BatchGetImage',
    );
  });

  test.each<[string, string | undefined, string | undefined]>([
    ['an image manifest', imageManifest(digest(9, 'c')), digest(9, 'c')],
    ['an index', indexManifest, undefined],
    ['a config without a digest', JSON.stringify({ config: {} }), undefined],
    ['JSON that is not an object', '"text"', undefined],
    ['no manifest', undefined, undefined],
  ])('configDigestOf: %s', (_name, text, expected) => {
    expect(configDigestOf(text)).toBe(expected);
  });
});

describe('deleteUntaggedImages', () => {
  const NONE = { keptChildren: [], keptReferrers: [], orphanedReferrers: [], taggedAfterAll: [] };

  /**
   * The repository's images as DescribeImages lists them (tags, media type) and BatchGetImage gives their
   * manifests (an index lists `children`, a referrer has a `subject`).
   */
  interface HeldImage {
    digest: string;
    tags?: string[];
    children?: string[];
    subject?: string;
  }
  function repositoryHolds(images: HeldImage[]): void {
    const byDigest = new Map(images.map((image) => [image.digest, image]));
    const isIndex = (image: { children?: string[] }) => (image.children ?? []).length > 0;
    mocked
      .ecr()
      .on(DescribeImagesCommand)
      .resolves({
        imageDetails: images.map((image) => ({
          imageDigest: image.digest,
          ...(image.tags ? { imageTags: image.tags } : {}),
          imageManifestMediaType: isIndex(image)
            ? 'application/vnd.oci.image.index.v1+json'
            : 'application/vnd.oci.image.manifest.v1+json',
        })),
      });
    mocked
      .ecr()
      .on(BatchGetImageCommand)
      .callsFake((input: BatchGetImageCommandInput) => ({
        images: (input.imageIds ?? []).flatMap(({ imageDigest }) => {
          const image = byDigest.get(imageDigest ?? '');
          if (!image) return [];
          const manifest = isIndex(image)
            ? {
                mediaType: 'application/vnd.oci.image.index.v1+json',
                manifests: (image.children ?? []).map((child) => ({ digest: child })),
              }
            : {
                mediaType: 'application/vnd.oci.image.manifest.v1+json',
                layers: [],
                ...(image.subject ? { subject: { digest: image.subject } } : {}),
              };
          return [{ imageId: { imageDigest }, imageManifest: JSON.stringify(manifest) }];
        }),
        failures: [],
      }));
  }

  /** ListImages answers `untagged` over pages of `pageSize`, recording each request as it was sent. */
  function untaggedImages(
    untagged: string[],
    pageSize = 1000,
    holds: HeldImage[] = untagged.map((digest) => ({ digest })),
  ): ListImagesCommandInput[] {
    repositoryHolds(holds);
    const sent: ListImagesCommandInput[] = [];
    mocked
      .ecr()
      .on(ListImagesCommand)
      .callsFake((input: ListImagesCommandInput) => {
        sent.push({ ...input });
        const start = Number(input.nextToken ?? 0);
        const end = start + pageSize;
        return {
          imageIds: untagged.slice(start, end).map((imageDigest) => ({ imageDigest })),
          ...(end < untagged.length && { nextToken: String(end) }),
        };
      });
    return sent;
  }
  const deletesEverything = () =>
    mocked
      .ecr()
      .on(BatchDeleteImageCommand)
      .callsFake((input: BatchDeleteImageCommandInput) => ({
        imageIds: input.imageIds,
        failures: [],
      }));
  const deleteBatches = () =>
    mocked
      .ecr()
      .commandCalls(BatchDeleteImageCommand)
      .map((call) => call.args[0].input.imageIds ?? []);

  test('250 untagged images (over 2 ListImages pages) → 3 BatchDeleteImage calls of at most 100', async () => {
    const untagged = digests(250);
    const listed = untaggedImages(untagged, 200);
    deletesEverything();

    const result = await deleteUntaggedImages(mocked.client(), { ...target, dryRun: false });

    expect(listed).toEqual([
      {
        repositoryName: NAME,
        registryId: ACCOUNT,
        filter: { tagStatus: 'UNTAGGED' },
        maxResults: 1000,
        nextToken: undefined,
      },
      {
        repositoryName: NAME,
        registryId: ACCOUNT,
        filter: { tagStatus: 'UNTAGGED' },
        maxResults: 1000,
        nextToken: '200',
      },
    ]);
    expect(deleteBatches().map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(deleteBatches().flat()).toEqual(untagged.map((imageDigest) => ({ imageDigest })));
    expect(mocked.ecr()).toHaveReceivedCommandWith(BatchDeleteImageCommand, {
      repositoryName: NAME,
      registryId: ACCOUNT,
    });
    expect(result).toEqual({ found: untagged, deleted: untagged, failures: [], ...NONE });
  });

  test('digests in `keep` (platform manifests of a tagged index) are neither reported nor deleted', async () => {
    untaggedImages(digests(4));
    deletesEverything();

    const result = await deleteUntaggedImages(mocked.client(), {
      ...target,
      dryRun: false,
      keep: new Set([digest(1), digest(3)]),
    });

    expect(result.found).toEqual([digest(0), digest(2)]);
    expect(deleteBatches()).toEqual([[{ imageDigest: digest(0) }, { imageDigest: digest(2) }]]);
  });

  test('a dry run lists what would go and deletes nothing', async () => {
    untaggedImages(digests(3));

    const result = await deleteUntaggedImages(mocked.client(), { ...target, dryRun: true });

    expect(result).toEqual({ found: digests(3), deleted: [], failures: [], ...NONE });
    expect(mocked.ecr()).not.toHaveReceivedCommand(BatchDeleteImageCommand);
  });

  test('nothing untagged: no delete call', async () => {
    untaggedImages([]);
    await expect(deleteUntaggedImages(mocked.client(), { ...target, dryRun: false })).resolves.toEqual({
      found: [],
      deleted: [],
      failures: [],
      ...NONE,
    });
    expect(mocked.ecr()).not.toHaveReceivedCommand(BatchDeleteImageCommand);
  });

  test('images ECR refuses to delete are reported, not thrown', async () => {
    untaggedImages(digests(3));
    mocked
      .ecr()
      .on(BatchDeleteImageCommand)
      .resolves({
        imageIds: [{ imageDigest: digest(0) }],
        failures: [
          {
            imageId: { imageDigest: digest(1) },
            failureCode: 'ImageReferencedByManifestList',
            failureReason: 'Requested image referenced by manifest list',
          },
          { imageId: { imageDigest: digest(2) }, failureCode: 'ImageNotFound' },
        ],
      });

    const result = await deleteUntaggedImages(mocked.client(), { ...target, dryRun: false });

    expect(result).toEqual({
      found: digests(3),
      deleted: [digest(0)],
      failures: [
        {
          digest: digest(1),
          reason: 'ImageReferencedByManifestList: Requested image referenced by manifest list',
        },
        { digest: digest(2), reason: 'ImageNotFound' },
      ],
      ...NONE,
    });
  });

  test('an image ListImages calls untagged but DescribeImages shows tagged is never deleted', async () => {
    // One widely used ECR emulator answers tagStatus=UNTAGGED with tagged images too.
    untaggedImages([digest(0), digest(1)], 1000, [
      { digest: digest(0) },
      { digest: digest(1), tags: ['v1'] },
    ]);
    deletesEverything();
    const result = await deleteUntaggedImages(mocked.client(), { ...target, dryRun: false });
    expect(result.found).toEqual([digest(0)]);
    expect(result.taggedAfterAll).toEqual([digest(1)]);
    expect(deleteBatches().flat()).toEqual([{ imageDigest: digest(0) }]);
  });

  test("a kept index's children and a kept image's signature stay; an orphaned signature goes", async () => {
    const [index, childA, childB, signed, signature, orphan, clutter] = [0, 1, 2, 3, 4, 5, 6].map((n) =>
      digest(n),
    ) as [string, string, string, string, string, string, string];
    untaggedImages([childA, childB, signature, orphan, clutter], 1000, [
      { digest: index, tags: ['v1'], children: [childA, childB] },
      { digest: childA },
      { digest: childB },
      { digest: signed, tags: ['v2'] },
      { digest: signature, subject: signed },
      { digest: orphan, subject: digest(99) },
      { digest: clutter },
    ]);
    deletesEverything();
    const result = await deleteUntaggedImages(mocked.client(), { ...target, dryRun: true });
    expect(result.found.sort()).toEqual([orphan, clutter].sort());
    expect(result.keptChildren.sort()).toEqual([childA, childB].sort());
    expect(result.keptReferrers).toEqual([signature]);
    expect(result.orphanedReferrers).toEqual([orphan]);
    expect(mocked.ecr()).not.toHaveReceivedCommand(BatchDeleteImageCommand);
  });

  test.each<[string, () => void]>([
    ['ecr:ListImages', () => mocked.ecr().on(ListImagesCommand).rejects(accessDenied('ecr:ListImages'))],
    [
      'ecr:BatchDeleteImage',
      () => {
        untaggedImages(digests(1));
        mocked.ecr().on(BatchDeleteImageCommand).rejects(accessDenied('ecr:BatchDeleteImage'));
      },
    ],
  ])('AccessDenied names %s', async (action, arrange) => {
    arrange();
    await expectAccessDenied(deleteUntaggedImages(mocked.client(), { ...target, dryRun: false }), action);
  });
});

describe('pushedManifestType: read back after a push', () => {
  test('the media type ECR stores the manifest under', async () => {
    mocked
      .ecr()
      .on(BatchGetImageCommand)
      .resolves({
        images: [
          {
            imageId: { imageDigest: digest(1) },
            imageManifest: indexManifest,
            imageManifestMediaType: undefined,
          },
        ],
      });
    await expect(pushedManifestType(mocked.client(), { ...target, digest: digest(1) })).resolves.toBe(
      'application/vnd.oci.image.index.v1+json',
    );
  });

  test("ECR's read-after-write window: not found twice, then found, is no failure", async () => {
    mocked
      .ecr()
      .on(BatchGetImageCommand)
      .resolvesOnce({
        images: [],
        failures: [{ imageId: { imageDigest: digest(2) }, failureCode: 'ImageNotFound' }],
      })
      .resolvesOnce({
        images: [],
        failures: [{ imageId: { imageDigest: digest(2) }, failureCode: 'ImageNotFound' }],
      })
      .resolves({
        images: [
          {
            imageId: { imageDigest: digest(2) },
            imageManifest: imageManifest(digest(3, 'c')),
            imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
          },
        ],
      });
    await expect(
      pushedManifestType(mocked.client(), { ...target, digest: digest(2), delayMs: 1 }),
    ).resolves.toBe('application/vnd.oci.image.manifest.v1+json');
    expect(mocked.ecr().commandCalls(BatchGetImageCommand)).toHaveLength(3);
  });

  test('still not there after every attempt: undefined, after exactly that many calls', async () => {
    mocked.ecr().on(BatchGetImageCommand).resolves({ images: [] });
    await expect(
      pushedManifestType(mocked.client(), { ...target, digest: digest(4), attempts: 3, delayMs: 1 }),
    ).resolves.toBeUndefined();
    expect(mocked.ecr().commandCalls(BatchGetImageCommand)).toHaveLength(3);
  });
});
