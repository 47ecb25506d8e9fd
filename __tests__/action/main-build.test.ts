/**
 * The main step with build and push: the orchestration around the docker adapter (mocked here; the real
 * docker runs in the end-to-end suite). What is built with which tags and labels, what is pushed where, what
 * a pull request, missing credentials or an immutable repository change, and the outputs.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { BuildRequest } from '../../src/builder/docker-args.js';
import { createActionEnv, type ActionEnv } from '../fixtures/docker-config/action-env.js';
import { mockRepository as mockRepositoryOf } from '../fixtures/mocked-repository.js';

const docker = {
  hasBuildx: jest.fn<() => Promise<boolean>>(),
  assertDockerCli: jest.fn<() => Promise<void>>(),
  buildxBuilderDriver: jest.fn<(name: string) => Promise<string | undefined>>(),
  localImageId: jest.fn<(reference: string) => Promise<string | undefined>>(),
  usesContainerdStore: jest.fn<() => Promise<boolean>>(),
  buildClassic: jest.fn<(request: BuildRequest) => Promise<{ imageId: string }>>(),
  buildWithBuildx: jest.fn<(request: BuildRequest, output: string) => Promise<{ imageId: string }>>(),
  tagImage: jest.fn<(source: string, reference: string) => Promise<void>>(),
  pushImage: jest.fn<(reference: string) => Promise<string>>(),
  saveImageLayout: jest.fn<(reference: string, dir: string) => Promise<void>>(),
  removeLocalImage: jest.fn<(reference: string) => Promise<void>>(),
};
jest.unstable_mockModule('../../src/builder/docker.js', () => docker);
const { runMain } = await import('../../src/action/main.js');

const A = '111111111111';
const B = '222222222222';
const HOST_A = `${A}.dkr.ecr.eu-west-1.amazonaws.com`;
const HOST_B = `${B}.dkr.ecr.us-east-1.amazonaws.com`;
const PASSWORD = 'eyJwYXlsb2FkIjoiQUFBQSJ9+build/secret=';
const IMAGE_ID = `sha256:${'a'.repeat(64)}`;
const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER = `sha256:${'e'.repeat(64)}`;
const SHA_TAG = 'sha-0123456';

let env: ActionEnv;
let ecr: AwsClientStub<ECRClient>;

beforeEach(async () => {
  env = await createActionEnv();
  ecr = mockClient(ECRClient);
  ecr.on(GetAuthorizationTokenCommand).callsFake(async (input: { registryIds?: string[] }, getClient) => {
    const region = await (getClient().config as unknown as { region: () => Promise<string> }).region();
    return {
      authorizationData: (input.registryIds ?? [A]).map((id) => ({
        authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'),
        expiresAt: new Date('2030-01-01T00:00:00Z'),
        proxyEndpoint: `https://${id}.dkr.ecr.${region}.amazonaws.com`,
      })),
    };
  });
  mockRepository('MUTABLE');
  process.env.AWS_REGION = 'eu-west-1';
  const workspace = process.env.GITHUB_WORKSPACE!;
  await fs.mkdir(workspace, { recursive: true });
  await fs.writeFile(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
  for (const mock of Object.values(docker)) mock.mockReset();
  docker.hasBuildx.mockResolvedValue(false);
  docker.usesContainerdStore.mockResolvedValue(false);
  docker.buildClassic.mockResolvedValue({ imageId: IMAGE_ID });
  docker.pushImage.mockResolvedValue(DIGEST);
});

afterEach(async () => {
  ecr.restore();
  await env.restore();
  process.exitCode = undefined;
});

const mockRepository = (
  mutability: 'MUTABLE' | 'IMMUTABLE',
  images: { digest: string; tags: string[] }[] = [],
) => {
  mockRepositoryOf(ecr, A, mutability, images);
};

const printed = () => env.stdout.join('');
const builtRequest = () => docker.buildClassic.mock.calls[0]![0];
const pushedReferences = () => docker.pushImage.mock.calls.map(([reference]) => reference);

describe('main: build and push', () => {
  test('builds once with every tag and the OCI labels, pushes each tag, and sets the outputs', async () => {
    env.setInputs({ registries: A, repository: 'team/app', build: 'true', labels: 'team=platform' });
    await runMain();

    const request = builtRequest();
    expect(request.tags).toEqual([`${HOST_A}/team/app:${SHA_TAG}`, `${HOST_A}/team/app:main`]);
    expect(request.labels).toMatchObject({
      'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
      team: 'platform',
    });
    expect(request.buildArgs).toContainEqual(['OCI_REVISION', '0123456789abcdef0123456789abcdef01234567']);
    expect(pushedReferences()).toEqual([`${HOST_A}/team/app:${SHA_TAG}`, `${HOST_A}/team/app:main`]);

    const outputs = await env.outputs();
    expect(outputs).toMatchObject({
      image: `${HOST_A}/team/app:${SHA_TAG}`,
      images: `${HOST_A}/team/app:${SHA_TAG}\n${HOST_A}/team/app:main`,
      digest: DIGEST,
      'image-id': IMAGE_ID,
      pushed: 'true',
    });
    // Each phase is a group that ends with its duration.
    for (const phase of ['Log in to Amazon ECR', 'Repository and tag plan', 'Build', 'Push']) {
      expect(printed()).toMatch(new RegExp(`::group::${phase}\\n[\\s\\S]*?${phase}: \\d+(\\.\\d)? m?s\\.`));
    }
  });

  test("the user's build args come after the OCI ones (docker keeps the last), and label-build-args false drops those", async () => {
    env.setInputs({
      registries: A,
      repository: 'team/app',
      build: 'true',
      'build-args': 'OCI_TITLE=mine\nVERSION=1,2',
    });
    await runMain();
    const args = builtRequest().buildArgs;
    expect(args.findLastIndex(([name]) => name === 'OCI_TITLE')).toBe(args.length - 2);
    expect(args.at(-1)).toEqual(['VERSION', '1,2']);

    docker.buildClassic.mockClear();
    env.setInputs({ 'label-build-args': 'false' });
    await runMain();
    expect(builtRequest().buildArgs).toEqual([
      ['OCI_TITLE', 'mine'],
      ['VERSION', '1,2'],
    ]);
  });

  test('two registries in two regions: one build, every tag pushed to each', async () => {
    env.setInputs({ registries: `${A}\n${HOST_B}`, repository: 'team/app', build: 'true' });
    await runMain();
    expect(docker.buildClassic).toHaveBeenCalledTimes(1);
    expect(new Set(pushedReferences())).toEqual(
      new Set([
        `${HOST_A}/team/app:${SHA_TAG}`,
        `${HOST_A}/team/app:main`,
        `${HOST_B}/team/app:${SHA_TAG}`,
        `${HOST_B}/team/app:main`,
      ]),
    );
    expect((await env.outputs()).images!.split('\n')).toHaveLength(4);
  });

  test('a pull request is built, not pushed, and no repository is touched', async () => {
    const eventPath = process.env.GITHUB_EVENT_PATH!;
    await fs.writeFile(
      eventPath,
      JSON.stringify({ pull_request: { number: 7, head: { sha: 'f'.repeat(40), ref: 'feature' } } }),
    );
    Object.assign(process.env, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' });
    env.setInputs({ registries: A, repository: 'team/app', build: 'true', 'create-repository': 'true' });
    await runMain();

    expect(docker.buildClassic).toHaveBeenCalledTimes(1);
    expect(docker.pushImage).not.toHaveBeenCalled();
    expect(ecr).not.toHaveReceivedCommand(DescribeRepositoriesCommand);
    expect(ecr).not.toHaveReceivedCommand(CreateRepositoryCommand);
    expect(await env.outputs()).toMatchObject({ pushed: 'false', digest: '', 'image-id': IMAGE_ID });
    expect(printed()).toContain('not pushed: a pull_request event');
  });

  test('a pull request built with buildx: no digest output, although BuildKit named its local result', async () => {
    await fs.writeFile(
      process.env.GITHUB_EVENT_PATH!,
      JSON.stringify({ pull_request: { number: 7, head: { sha: 'f'.repeat(40), ref: 'feature' } } }),
    );
    Object.assign(process.env, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' });
    docker.hasBuildx.mockResolvedValue(true);
    docker.buildWithBuildx.mockResolvedValue({ imageId: IMAGE_ID, digest: DIGEST } as { imageId: string });
    env.setInputs({ registries: A, repository: 'team/app', build: 'true' });
    await runMain();
    expect(docker.buildWithBuildx.mock.calls.map((call) => call[1])).toEqual(['load']);
    expect(await env.outputs()).toMatchObject({ pushed: 'false', digest: '', 'image-id': IMAGE_ID });
  });

  test('source-image on the containerd store: its ID is the manifest digest an immutable tag already holds', async () => {
    docker.usesContainerdStore.mockResolvedValue(true);
    docker.localImageId.mockResolvedValue(DIGEST);
    mockRepository('IMMUTABLE', [{ digest: DIGEST, tags: [SHA_TAG] }]);
    env.setInputs({ registries: A, repository: 'team/app', 'source-image': 'app:ci', tags: 'type=sha' });
    await runMain();
    expect(docker.pushImage).not.toHaveBeenCalled();
    expect(ecr).not.toHaveReceivedCommand(BatchGetImageCommand);
    expect(await env.outputs()).toMatchObject({ pushed: 'false', digest: DIGEST, 'image-id': DIGEST });
  });

  test('push: auto without AWS credentials builds with a warning; push: true fails', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    ecr.on(GetAuthorizationTokenCommand).rejects(noCredentials);
    env.setInputs({ registries: A, repository: 'team/app', build: 'true' });
    await runMain();
    expect(docker.buildClassic).toHaveBeenCalledTimes(1);
    expect(builtRequest().tags).toEqual([`team/app:${SHA_TAG}`, 'team/app:main']);
    expect(docker.pushImage).not.toHaveBeenCalled();
    expect(printed()).toContain('::warning::No AWS credentials');
    expect((await env.outputs()).pushed).toBe('false');

    docker.buildClassic.mockClear();
    env.setInputs({ push: 'true' });
    await expect(runMain()).rejects.toThrow(/No AWS credentials/);
    expect(docker.buildClassic).not.toHaveBeenCalled();
  });

  test('an immutable repository re-run: the tag already holds this image, nothing is pushed', async () => {
    mockRepository('IMMUTABLE', [{ digest: DIGEST, tags: [SHA_TAG] }]);
    ecr.on(BatchGetImageCommand).resolves({
      images: [
        {
          imageId: { imageDigest: DIGEST },
          imageManifest: JSON.stringify({ schemaVersion: 2, config: { digest: IMAGE_ID } }),
        },
      ],
    });
    env.setInputs({ registries: A, repository: 'team/app', build: 'true' });
    await runMain();

    expect(docker.pushImage).not.toHaveBeenCalled();
    expect(await env.outputs()).toMatchObject({ pushed: 'false' });
    expect(printed()).toContain('skipped main');
    expect(printed()).toContain('Nothing was pushed: every tag already holds this image or was skipped');
  });

  test('an immutable tag that holds another image fails before anything is pushed', async () => {
    mockRepository('IMMUTABLE', [{ digest: OTHER, tags: [SHA_TAG] }]);
    ecr.on(BatchGetImageCommand).resolves({
      images: [
        {
          imageId: { imageDigest: OTHER },
          imageManifest: JSON.stringify({ schemaVersion: 2, config: { digest: `sha256:${'c'.repeat(64)}` } }),
        },
      ],
    });
    env.setInputs({
      registries: A,
      repository: 'team/app',
      build: 'true',
      tags: 'type=sha\ntype=raw,value=v1',
    });
    await expect(runMain()).rejects.toThrow(/Nothing was pushed\. Tag 'sha-0123456' is immutable/);
    expect(docker.buildClassic).toHaveBeenCalledTimes(1);
    expect(docker.pushImage).not.toHaveBeenCalled();
  });

  test('a build arg holding the registry password is refused before the build', async () => {
    env.setInputs({
      registries: A,
      repository: 'team/app',
      build: 'true',
      'build-args': `TOKEN=${PASSWORD}`,
    });
    await expect(runMain()).rejects.toThrow(/build-args TOKEN holds the registry password/);
    expect(docker.buildClassic).not.toHaveBeenCalled();
  });

  test('source-image: tagged with every reference and pushed; a missing one fails before any AWS call', async () => {
    docker.localImageId.mockResolvedValue(IMAGE_ID);
    env.setInputs({ registries: A, repository: 'team/app', 'source-image': 'app:ci' });
    await runMain();
    expect(docker.tagImage.mock.calls).toEqual([
      ['app:ci', `${HOST_A}/team/app:${SHA_TAG}`],
      ['app:ci', `${HOST_A}/team/app:main`],
    ]);
    expect(docker.buildClassic).not.toHaveBeenCalled();
    expect(await env.outputs()).toMatchObject({ pushed: 'true', 'image-id': IMAGE_ID });

    ecr.resetHistory();
    docker.localImageId.mockResolvedValue(undefined);
    await expect(runMain()).rejects.toThrow(/Input 'source-image': 'app:ci'.*no such image/);
    expect(ecr).not.toHaveReceivedCommand(GetAuthorizationTokenCommand);
  });

  test('buildx-only inputs on the classic builder fail before any AWS call, naming the input', async () => {
    env.setInputs({ registries: A, repository: 'team/app', build: 'true', platforms: 'linux/arm64' });
    await expect(runMain()).rejects.toThrow(/Input 'platforms'.*buildx/);
    expect(ecr).not.toHaveReceivedCommand(GetAuthorizationTokenCommand);
  });

  test('with buildx: one build that pushes every reference, without attestations by default', async () => {
    docker.hasBuildx.mockResolvedValue(true);
    docker.buildWithBuildx.mockResolvedValue({ imageId: IMAGE_ID, digest: DIGEST } as { imageId: string });
    env.setInputs({ registries: A, repository: 'team/app', build: 'true', cache: 'ecr' });
    await runMain();
    expect(docker.buildWithBuildx).toHaveBeenCalledTimes(1);
    const [request, output] = docker.buildWithBuildx.mock.calls[0]!;
    expect(output).toBe('push');
    expect(request.provenance).toBe('false');
    expect(request.cacheTo).toEqual([
      `type=registry,ref=${HOST_A}/team/app:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`,
    ]);
    expect(docker.pushImage).not.toHaveBeenCalled();
    expect(await env.outputs()).toMatchObject({ pushed: 'true', digest: DIGEST });
  });

  test('secrets reach BuildKit through a 0600 file that is gone after the build, and are masked first', async () => {
    docker.hasBuildx.mockResolvedValue(true);
    let seen: { arg: string; mode: number; content: string } | undefined;
    docker.buildWithBuildx.mockImplementation(async (request) => {
      const arg = request.secrets[0] ?? '';
      const file = /src=(.+)$/.exec(arg)?.[1] ?? '';
      const stat = await fs.stat(file);
      seen = { arg, mode: stat.mode & 0o777, content: await fs.readFile(file, 'utf8') };
      return { imageId: IMAGE_ID, digest: DIGEST } as { imageId: string };
    });
    env.setInputs({
      registries: A,
      repository: 'team/app',
      build: 'true',
      secrets: 'NPM_TOKEN=npm_s3cr3t,value',
    });
    await runMain();

    expect(seen?.arg).toMatch(/^id=NPM_TOKEN,src=\//);
    expect(seen?.arg).not.toContain('npm_s3cr3t');
    expect(seen?.mode).toBe(0o600);
    expect(seen?.content).toBe('npm_s3cr3t,value');
    await expect(fs.stat(/src=(.+)$/.exec(seen?.arg ?? '')?.[1] ?? '')).rejects.toThrow(/ENOENT/);
    expect(printed()).toContain('::add-mask::npm_s3cr3t,value');
  });
});
