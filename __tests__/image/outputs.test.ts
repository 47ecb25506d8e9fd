import { describe, expect, test } from '@jest/globals';
import { ociLabels, parseLabels } from '../../src/image/labels.js';
import { metadataOutputs, parseRepository, type MetadataOutputs } from '../../src/image/outputs.js';
import { contextOf, SHA } from '../fixtures/runs.js';
import { NOW, resolveFor, tagPush } from '../fixtures/tags.js';

const PRIVATE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const SECOND = '210987654321.dkr.ecr.us-east-1.amazonaws.com';
const OCI = 'org.opencontainers.image.';

describe('parseRepository', () => {
  test.each<[string, string | undefined]>([
    ['', undefined],
    ['   ', undefined],
    ['app', 'app'],
    ['ab', 'ab'],
    [' team/app ', 'team/app'],
    ['team/sub/app', 'team/sub/app'],
    ['my.app_v2-x', 'my.app_v2-x'],
    ['a'.repeat(256), 'a'.repeat(256)],
  ])('%j', (text, expected) => {
    expect(parseRepository(text)).toBe(expected);
  });

  const SHAPE =
    'expected 2 to 256 characters of lower-case letters, digits and . _ - between them, path parts joined by /, such as team/app';
  test.each<[string, string]>([
    ['App', 'ECR repository names are lower case: write app'],
    ['Team/App', 'ECR repository names are lower case: write team/app'],
    [
      `${PRIVATE}/app`,
      'give the repository name only, such as team/app: the registry comes from registries, the tag from tags',
    ],
    [
      'app:latest',
      'give the repository name only, such as team/app: the registry comes from registries, the tag from tags',
    ],
    [
      'public.ecr.aws/alias/app',
      'give the repository name only, such as team/app: the registry comes from registries, the tag from tags',
    ],
    ['a', SHAPE],
    ['a'.repeat(257), SHAPE],
    ['team//app', SHAPE],
    ['/app', SHAPE],
    ['app/', SHAPE],
    ['a..b', SHAPE],
    ['-app', SHAPE],
    ['app_', SHAPE],
    ['my app', SHAPE],
  ])('%j is refused', (text, accepted) => {
    expect(() => parseRepository(text)).toThrow(`Input 'repository': '${text}' is not valid; ${accepted}.`);
  });
});

describe('metadataOutputs', () => {
  const release = resolveFor(
    'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=sha',
    tagPush('v1.2.3'),
  );
  const labels = ociLabels({
    context: contextOf('push-tag'),
    version: release.version,
    primaryTag: release.tags[0]?.name,
    created: { kind: 'commit' },
    now: NOW,
    overrides: parseLabels('com.acme.team=platform'),
  });
  const base = { tags: release.tags, version: release.version, labels };

  test("after a push, json names each registry's image by digest (what a deploy job pins)", () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    const json = JSON.parse(
      metadataOutputs({ ...base, registries: [PRIVATE, SECOND], repository: 'team/widget', digest }).json,
    ) as { images: unknown };
    expect(json.images).toEqual([
      { registry: PRIVATE, image: `${PRIVATE}/team/widget@${digest}` },
      { registry: SECOND, image: `${SECOND}/team/widget@${digest}` },
    ]);
    const before = JSON.parse(
      metadataOutputs({ ...base, registries: [PRIVATE], repository: 'team/widget' }).json,
    );
    expect(before).not.toHaveProperty('images');
  });

  test('one registry and a repository: full references, primary first', () => {
    const outputs = metadataOutputs({ ...base, registries: [PRIVATE], repository: 'team/widget' });
    expect(outputs).toEqual({
      tags: [
        `${PRIVATE}/team/widget:1.2.3`,
        `${PRIVATE}/team/widget:1.2`,
        `${PRIVATE}/team/widget:sha-a1b2c3d`,
        `${PRIVATE}/team/widget:latest`,
      ].join('\n'),
      'tag-names': '1.2.3\n1.2\nsha-a1b2c3d\nlatest',
      labels: [
        `${OCI}created=2024-04-30T20:45:00.000Z`,
        `${OCI}revision=${SHA.release}`,
        `${OCI}source=https://github.com/acme/widget`,
        `${OCI}url=https://github.com/acme/widget`,
        `${OCI}version=1.2.3`,
        `${OCI}title=widget`,
        `${OCI}description=Widget service: renders widgets, fast`,
        `${OCI}licenses=Apache-2.0`,
        `${OCI}ref.name=1.2.3`,
        'com.acme.team=platform',
      ].join('\n'),
      version: '1.2.3',
      json: outputs.json,
      'build-args': [
        'OCI_CREATED=2024-04-30T20:45:00.000Z',
        `OCI_REVISION=${SHA.release}`,
        'OCI_SOURCE=https://github.com/acme/widget',
        'OCI_URL=https://github.com/acme/widget',
        'OCI_VERSION=1.2.3',
        'OCI_TITLE=widget',
        'OCI_DESCRIPTION=Widget service: renders widgets, fast',
        'OCI_LICENSES=Apache-2.0',
        'OCI_REF_NAME=1.2.3',
      ].join('\n'),
    } satisfies MetadataOutputs);
  });

  test('json holds what docker/metadata-action puts there, plus tag names and build args', () => {
    const outputs = metadataOutputs({ ...base, registries: [PRIVATE], repository: 'team/widget' });
    const json = JSON.parse(outputs.json) as Record<string, unknown> & {
      'build-args': Record<string, string>;
    };
    expect(Object.keys(json)).toEqual(['tags', 'labels', 'version', 'tag-names', 'build-args']);
    expect(json.tags).toEqual(outputs.tags.split('\n'));
    expect(json.labels).toEqual(labels);
    expect(json['tag-names']).toEqual(['1.2.3', '1.2', 'sha-a1b2c3d', 'latest']);
    expect(json['build-args'].OCI_VERSION).toBe('1.2.3');
  });

  test('two registries: every tag of the first, then of the second', () => {
    const { tags } = metadataOutputs({ ...base, registries: [PRIVATE, SECOND], repository: 'widget' });
    expect(tags.split('\n')).toEqual([
      `${PRIVATE}/widget:1.2.3`,
      `${PRIVATE}/widget:1.2`,
      `${PRIVATE}/widget:sha-a1b2c3d`,
      `${PRIVATE}/widget:latest`,
      `${SECOND}/widget:1.2.3`,
      `${SECOND}/widget:1.2`,
      `${SECOND}/widget:sha-a1b2c3d`,
      `${SECOND}/widget:latest`,
    ]);
  });

  test.each<[string, string[], string | undefined, string[]]>([
    ['no repository: bare tag names', [PRIVATE], undefined, ['1.2.3', '1.2', 'sha-a1b2c3d', 'latest']],
    [
      'a repository, no registry: local names',
      [],
      'widget',
      ['widget:1.2.3', 'widget:1.2', 'widget:sha-a1b2c3d', 'widget:latest'],
    ],
    [
      'ECR Public with its alias',
      ['public.ecr.aws/acme/'],
      'widget',
      [
        'public.ecr.aws/acme/widget:1.2.3',
        'public.ecr.aws/acme/widget:1.2',
        'public.ecr.aws/acme/widget:sha-a1b2c3d',
        'public.ecr.aws/acme/widget:latest',
      ],
    ],
  ])('%s', (_name, registries, repository, expected) => {
    const input = repository === undefined ? { ...base, registries } : { ...base, registries, repository };
    expect(metadataOutputs(input).tags.split('\n')).toEqual(expected);
  });

  test('no tags and no version: empty outputs, valid json', () => {
    const outputs = metadataOutputs({ tags: [], labels: {}, registries: [PRIVATE], repository: 'widget' });
    expect(outputs).toMatchObject({ tags: '', 'tag-names': '', labels: '', version: '', 'build-args': '' });
    expect(JSON.parse(outputs.json)).toEqual({
      tags: [],
      labels: {},
      version: '',
      'tag-names': [],
      'build-args': {},
    });
  });
});
