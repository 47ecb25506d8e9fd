import { describe, expect, test } from '@jest/globals';
import {
  imageIndex,
  parseMergeDigests,
  parseRegistryReference,
  platformOfConfig,
  type Descriptor,
} from '../../src/registry/manifests.js';
import { InputError } from '../../src/shared/errors.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('parseMergeDigests', () => {
  test.each([
    ['digests on lines', `${A}\n${B}`, [{ digest: A }, { digest: B }]],
    ['digests with commas', `${A}, ${B}`, [{ digest: A }, { digest: B }]],
    [
      "two jobs' digests outputs, one per line",
      `[{"digest":"${A}","platform":"linux/amd64"}]\n[{"digest":"${B}","platform":"linux/arm64"}]`,
      [
        { digest: A, platform: 'linux/amd64' },
        { digest: B, platform: 'linux/arm64' },
      ],
    ],
    [
      'one pretty-printed JSON list',
      JSON.stringify([{ digest: A }, { digest: B, platform: 'linux/arm64' }], null, 2),
      [{ digest: A }, { digest: B, platform: 'linux/arm64' }],
    ],
    ['a digest given twice counts once', `${A}\n${A}`, [{ digest: A }]],
    ['empty: no merge', '  ', []],
  ])('%s', (_name, text, expected) => {
    expect(parseMergeDigests(text)).toEqual(expected);
  });

  test.each([['sha256:abc'], ['latest'], ['[{"digest":"sha256:1"}]'], ['[{"digest": ']])(
    '%j is refused, naming merge-digests',
    (text) => {
      let error: unknown;
      try {
        parseMergeDigests(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).input).toBe('merge-digests');
    },
  );
});

describe('imageIndex', () => {
  const amd: Descriptor = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: A,
    size: 400,
    platform: { os: 'linux', architecture: 'amd64' },
  };
  const arm: Descriptor = {
    ...amd,
    digest: B,
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  };

  test('the same children give the same bytes whichever job finished first', () => {
    const one = imageIndex([arm, amd], { 'org.opencontainers.image.revision': 'abc' });
    const other = imageIndex([amd, arm], { 'org.opencontainers.image.revision': 'abc' });
    expect(one.digest).toBe(other.digest);
    expect(one.bytes.equals(other.bytes)).toBe(true);
    const parsed = JSON.parse(one.bytes.toString('utf8')) as {
      mediaType: string;
      manifests: Descriptor[];
      annotations: Record<string, string>;
    };
    expect(parsed.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(parsed.manifests.map((entry) => entry.digest)).toEqual([A, B]);
    expect(parsed.annotations).toEqual({ 'org.opencontainers.image.revision': 'abc' });
  });

  test('no annotations key when there are no labels', () => {
    expect(JSON.parse(imageIndex([amd], {}).bytes.toString('utf8'))).not.toHaveProperty('annotations');
  });
});

describe('platformOfConfig', () => {
  test.each([
    [
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
    [
      { os: 'linux', architecture: 'amd64', variant: '' },
      { os: 'linux', architecture: 'amd64' },
    ],
    [{ architecture: 'amd64' }, undefined],
  ])('%j', (config, expected) => {
    expect(platformOfConfig(Buffer.from(JSON.stringify(config)))).toEqual(expected);
  });
});

describe('parseRegistryReference', () => {
  test.each([
    [
      '111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/app:sha-0123456',
      {
        host: '111111111111.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'team/app',
        reference: 'sha-0123456',
      },
    ],
    [`127.0.0.1:5000/team/app@${A}`, { host: '127.0.0.1:5000', repository: 'team/app', reference: A }],
    [`localhost/app:1.0@${A}`, { host: 'localhost', repository: 'app', reference: A }],
    ['ghcr.io/org/app', { host: 'ghcr.io', repository: 'org/app', reference: 'latest' }],
    ['app:ci', undefined],
    ['team/app:ci', undefined],
    ['sha256abc', undefined],
  ])('%s', (text, expected) => {
    expect(parseRegistryReference(text)).toEqual(expected);
  });
});
