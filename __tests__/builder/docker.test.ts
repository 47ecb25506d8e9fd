import { afterAll, afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import type * as Exec from '@actions/exec';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActionError } from '../../src/shared/errors.js';
import type { BuildRequest } from '../../src/builder/docker-args.js';
import { readFixture } from '../fixtures/paths.js';

const getExecOutput = jest.fn<typeof Exec.getExecOutput>();
jest.unstable_mockModule('@actions/exec', () => ({ getExecOutput }));
const docker = await import('../../src/builder/docker.js');

const fixture = (name: string): string => readFixture('build', name);

const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const REFERENCE = `${REGISTRY}/team/app:1.2.3`;
const CONTEXT = '/home/runner/work/app/app';
const IMAGE_ID = 'sha256:' + '1'.repeat(64);
const DIGEST = 'sha256:3c5a2e9b8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b';
const CONFIG = 'sha256:8f1d3ebc5c1f2b8e6a7c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c';

const REQUEST: BuildRequest = {
  context: CONTEXT,
  buildArgs: [['VERSION', '1.2.3']],
  labels: { 'org.opencontainers.image.version': '1.2.3' },
  tags: [REFERENCE],
  platforms: [],
  cacheFrom: [],
  cacheTo: [],
  provenance: 'false',
  secrets: [],
};

const result = (exitCode: number, stdout = '', stderr = '') => ({ exitCode, stdout, stderr });

/** The value of `--name=` in an argument array. */
function flag(args: readonly string[], name: string): string | undefined {
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The arguments of every docker call; each must be the program `docker` with an argument array. */
function calls(): string[][] {
  return getExecOutput.mock.calls.map(([program, args, options]) => {
    expect(program).toBe('docker');
    expect(Array.isArray(args)).toBe(true);
    expect(options).toMatchObject({ ignoreReturnCode: true });
    return args ?? [];
  });
}

async function actionErrorOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError);
    return (error as Error).message;
  }
  throw new Error('expected an ActionError');
}

const savedRunnerTemp = process.env.RUNNER_TEMP;
let runnerTemp: string;

beforeEach(() => {
  getExecOutput.mockReset();
  runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'ecr-push-runner-temp-'));
  process.env.RUNNER_TEMP = runnerTemp;
});

afterEach(() => {
  rmSync(runnerTemp, { recursive: true, force: true });
});

afterAll(() => {
  if (savedRunnerTemp === undefined) delete process.env.RUNNER_TEMP;
  else process.env.RUNNER_TEMP = savedRunnerTemp;
});

describe('hasBuildx', () => {
  test('true when `docker buildx version` succeeds', async () => {
    getExecOutput.mockResolvedValueOnce(result(0, 'github.com/docker/buildx v0.17.1 257815a\n'));
    await expect(docker.hasBuildx()).resolves.toBe(true);
    expect(calls()).toEqual([['buildx', 'version']]);
    expect(getExecOutput.mock.calls[0]?.[2]).toMatchObject({ silent: true });
  });

  test('false when docker has no buildx', async () => {
    getExecOutput.mockResolvedValueOnce(result(1, '', "docker: 'buildx' is not a docker command.\n"));
    await expect(docker.hasBuildx()).resolves.toBe(false);
    expect(calls()).toEqual([['buildx', 'version']]);
  });
});

describe('localImageId', () => {
  test('the ID of the reference', async () => {
    getExecOutput.mockResolvedValueOnce(result(0, `${IMAGE_ID}\n`));
    await expect(docker.localImageId('app:ci')).resolves.toBe(IMAGE_ID);
    expect(calls()).toEqual([['image', 'inspect', '--format={{.Id}}', 'app:ci']]);
  });

  test.each([
    ['no such image', result(1, '', 'Error response from daemon: No such image: app:ci\n')],
    ['an empty answer', result(0, '\n')],
  ])('undefined for %s', async (_, answer) => {
    getExecOutput.mockResolvedValueOnce(answer);
    await expect(docker.localImageId('app:ci')).resolves.toBeUndefined();
  });
});

describe('buildClassic', () => {
  test('asks for the classic builder: with buildx installed, docker build would be buildx', async () => {
    getExecOutput.mockImplementationOnce(async (_program, args) => {
      await writeFile(flag(args ?? [], 'iidfile')!, `${IMAGE_ID}\n`);
      return result(0);
    });
    await docker.buildClassic(REQUEST);
    const options = getExecOutput.mock.calls[0]?.[2];
    expect(options?.env?.DOCKER_BUILDKIT).toBe('0');
    expect(options?.env?.PATH).toBe(process.env.PATH);
  });

  test('builds with an argument array, reads the iidfile and removes its temp dir', async () => {
    getExecOutput.mockImplementationOnce(async (_program, args) => {
      const iidFile = flag(args ?? [], 'iidfile');
      if (iidFile === undefined) throw new Error('no --iidfile');
      await writeFile(iidFile, `${IMAGE_ID}\n`);
      return result(0, 'Successfully built 111111111111\n');
    });
    await expect(docker.buildClassic(REQUEST)).resolves.toEqual({ imageId: IMAGE_ID });
    const [args] = calls();
    expect(args).toEqual([
      'build',
      '--build-arg=VERSION=1.2.3',
      '--label=org.opencontainers.image.version=1.2.3',
      `--tag=${REFERENCE}`,
      expect.stringMatching(/^--iidfile=/),
      CONTEXT,
    ]);
    // The build streams to the log.
    expect(getExecOutput.mock.calls[0]?.[2]).toMatchObject({ silent: false });
    expect(flag(args!, 'iidfile')!.startsWith(runnerTemp + path.sep)).toBe(true);
    expect(readdirSync(runnerTemp)).toEqual([]);
  });

  test('a build that wrote no image ID fails, and the temp dir is removed', async () => {
    getExecOutput.mockResolvedValueOnce(result(0));
    expect(await actionErrorOf(docker.buildClassic(REQUEST))).toBe(
      'docker build succeeded but wrote no image ID (--iidfile).',
    );
    expect(readdirSync(runnerTemp)).toEqual([]);
  });

  test('a failed build gives the exit code and the reason, not the DEPRECATED notice', async () => {
    getExecOutput.mockResolvedValueOnce(
      result(
        1,
        '',
        'unable to prepare context: path "/home/runner/work/app/nope" not found\n' +
          'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n',
      ),
    );
    const message = await actionErrorOf(docker.buildClassic(REQUEST));
    expect(message).toMatch(
      /^docker build failed \(exit 1\): unable to prepare context: path "\/home\/runner\/work\/app\/nope" not found\. The build log is above\.$/,
    );
    expect(message).not.toContain('DEPRECATED');
    expect(message).not.toContain('BatchGetImage');
    expect(readdirSync(runnerTemp)).toEqual([]);
  });

  test('the reason is the last error line, not the last line', async () => {
    getExecOutput.mockResolvedValueOnce(
      result(
        2,
        'Step 1/3 : FROM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/base:1\n',
        "Error response from daemon: pull access denied for base, repository does not exist or may require 'docker login'\n" +
          'see the log for details\n',
      ),
    );
    const message = await actionErrorOf(docker.buildClassic(REQUEST));
    expect(message).toContain(
      "docker build failed (exit 2): Error response from daemon: pull access denied for base, repository does not exist or may require 'docker login'.",
    );
    expect(message).toContain('ecr:BatchGetImage');
  });
});

describe('buildWithBuildx', () => {
  function writesFiles(files: { iid?: string; metadata?: string }) {
    getExecOutput.mockImplementationOnce(async (_program, args) => {
      const iidFile = flag(args ?? [], 'iidfile');
      const metadataFile = flag(args ?? [], 'metadata-file');
      if (iidFile === undefined || metadataFile === undefined)
        throw new Error('no --iidfile or --metadata-file');
      if (files.iid !== undefined) await writeFile(iidFile, files.iid);
      if (files.metadata !== undefined) await writeFile(metadataFile, files.metadata);
      return result(0);
    });
  }

  const REF = '127.0.0.1:5000/team/app:sha-0123456';
  test.each<[string, string, RegExp]>([
    [
      'a push the registry refused (401): the push and its login fix, not a FROM pull',
      `ERROR: failed to solve: failed to push ${REF}: unexpected status from HEAD request to http://127.0.0.1:5000/v2/team/app/blobs/sha256:aa: 401 Unauthorized`,
      /^docker push 127\.0\.0\.1:5000\/team\/app:sha-0123456 failed: unexpected status .*401 Unauthorized\. docker has no valid login for 127\.0\.0\.1:5000/,
    ],
    [
      'a registry that is gone: the push and the network fix',
      `ERROR: failed to solve: failed to push ${REF}: failed to do request: Head "https://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused`,
      /^docker push 127\.0\.0\.1:5000\/team\/app:sha-0123456 failed: .*connection refused\. the registry 127\.0\.0\.1:5000 could not be reached/,
    ],
    [
      'a FROM image whose pull was denied: the BatchGetImage hint',
      'ERROR: failed to solve: 1234.dkr.ecr.eu-west-1.amazonaws.com/base:1: pull access denied, repository does not exist or may require authorization',
      /^docker buildx build failed \(exit 1\): .*pull access denied.*The build log is above\. A FROM image in ECR .*ecr:BatchGetImage/,
    ],
    [
      'a COPY of a missing file: the reason alone',
      'ERROR: failed to solve: failed to compute cache key: "/missing.txt": not found',
      /^docker buildx build failed \(exit 1\): .*"\/missing\.txt": not found\. The build log is above\.$/,
    ],
  ])('%s', async (_name, stderr, message) => {
    getExecOutput.mockResolvedValueOnce(result(1, '', `#5 building\n${stderr}\n`));
    expect(await actionErrorOf(docker.buildWithBuildx(REQUEST, 'push'))).toMatch(message);
  });

  test('reads the image ID and the metadata file, then removes its temp dir', async () => {
    writesFiles({ iid: IMAGE_ID, metadata: fixture('buildx-metadata.json') });
    await expect(docker.buildWithBuildx(REQUEST, 'push')).resolves.toEqual({
      imageId: IMAGE_ID,
      digest: DIGEST,
      configDigest: CONFIG,
      metadata: fixture('buildx-metadata.json').trim(),
    });
    const [args] = calls();
    expect(args?.slice(0, 2)).toEqual(['buildx', 'build']);
    expect(args).toContain('--push');
    expect(args?.at(-1)).toBe(CONTEXT);
    expect(flag(args!, 'metadata-file')!.startsWith(runnerTemp + path.sep)).toBe(true);
    expect(readdirSync(runnerTemp)).toEqual([]);
  });

  test.each<['load' | 'cache', string[]]>([
    ['load', ['--load']],
    ['cache', []],
  ])('output %s', async (output, flags) => {
    writesFiles({ iid: IMAGE_ID });
    await docker.buildWithBuildx(REQUEST, output);
    const [args] = calls();
    expect(args?.slice(-1 - flags.length, -1)).toEqual(flags);
    expect(args).not.toContain('--push');
  });

  test('no metadata file: the image ID alone', async () => {
    writesFiles({ iid: IMAGE_ID });
    await expect(docker.buildWithBuildx(REQUEST, 'load')).resolves.toStrictEqual({ imageId: IMAGE_ID });
  });

  test('no iidfile: the manifest digest stands for the image ID', async () => {
    writesFiles({ metadata: fixture('buildx-metadata.json') });
    await expect(docker.buildWithBuildx(REQUEST, 'cache')).resolves.toEqual({
      imageId: DIGEST,
      digest: DIGEST,
      configDigest: CONFIG,
      metadata: fixture('buildx-metadata.json').trim(),
    });
  });

  test('a failed build gives the exit code and the reason', async () => {
    getExecOutput.mockResolvedValueOnce(
      result(
        1,
        '',
        '#5 [2/3] RUN make\n#5 0.402 make: *** No targets specified and no makefile found.  Stop.\n' +
          '#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2\n' +
          '------\n' +
          'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2\n',
      ),
    );
    const message = await actionErrorOf(docker.buildWithBuildx(REQUEST, 'push'));
    expect(message).toMatch(
      /^docker buildx build failed \(exit 1\): ERROR: failed to solve: process "\/bin\/sh -c make" did not complete successfully: exit code: 2\. /,
    );
    expect(readdirSync(runnerTemp)).toEqual([]);
  });
});

describe('tagImage', () => {
  test('docker tag SOURCE REFERENCE', async () => {
    getExecOutput.mockResolvedValueOnce(result(0));
    await docker.tagImage('app:ci', REFERENCE);
    expect(calls()).toEqual([['tag', 'app:ci', REFERENCE]]);
  });

  test('a failure names both and the reason', async () => {
    getExecOutput.mockResolvedValueOnce(result(1, '', 'Error response from daemon: No such image: app:ci\n'));
    expect(await actionErrorOf(docker.tagImage('app:ci', REFERENCE))).toBe(
      `docker tag app:ci ${REFERENCE} failed: Error response from daemon: No such image: app:ci.`,
    );
  });
});

describe('pushImage', () => {
  test('returns the digest docker push printed', async () => {
    getExecOutput.mockResolvedValueOnce(result(0, fixture('push-output.txt')));
    await expect(docker.pushImage(REFERENCE)).resolves.toBe(
      'sha256:6d0f8a2c4e1b3a5d7f9e8c6b4a2d0f1e3c5b7a9d8f6e4c2a0b1d3f5e7a9c8b6d',
    );
    expect(calls()).toEqual([['push', REFERENCE]]);
  });

  test('a push that printed no digest fails', async () => {
    getExecOutput.mockResolvedValueOnce(result(0, 'The push refers to repository [x]\n'));
    expect(await actionErrorOf(docker.pushImage(REFERENCE))).toBe(
      `docker push ${REFERENCE} printed no digest; the push may not have completed.`,
    );
  });

  const LOGIN_FIX = `docker has no valid login for ${REGISTRY}`;
  const IMMUTABLE_FIX =
    'the repository keeps this tag immutable and it holds another image: release under a new tag.';
  const IAM_FIX = 'the AWS identity may not push here: it needs ecr:InitiateLayerUpload';
  const MISSING_FIX =
    "the repository does not exist in this registry: set 'create-repository: true' or create it first.";

  const NETWORK_FIX = `the registry ${REGISTRY} could not be reached from the docker daemon`;

  test.each([
    ['no basic auth credentials', LOGIN_FIX],
    ['unauthorized: authentication required', LOGIN_FIX],
    ['Get "https://registry/v2/": dial tcp 127.0.0.1:5000: connect: connection refused', NETWORK_FIX],
    ['Put "https://registry/v2/team/app/blobs/uploads/x": EOF', NETWORK_FIX],
    [
      "tag invalid: The image tag '1.2.3' already exists in the 'team/app' repository and cannot be overwritten because the repository is immutable.",
      IMMUTABLE_FIX,
    ],
    [
      'denied: User: arn:aws:sts::123456789012:assumed-role/ci/GitHubActions is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/team/app because no identity-based policy allows the ecr:InitiateLayerUpload action',
      IAM_FIX,
    ],
    [
      "name unknown: The repository with name 'team/app' does not exist in the registry with id '123456789012'",
      MISSING_FIX,
    ],
    ['received unexpected HTTP status: 500 Internal Server Error', 'see the push log above.'],
  ])('%j: the reason and its fix', async (reason, fix) => {
    getExecOutput.mockResolvedValueOnce(result(1, '', `${reason}\n`));
    const message = await actionErrorOf(docker.pushImage(REFERENCE));
    expect(message).toContain(`docker push ${REFERENCE} failed: ${reason}`);
    expect(message).toContain(fix);
  });

  // docker push prints its progress on stdout and the error on stderr: the error is the reason, whatever it says.
  test.each([
    ['no basic auth credentials', LOGIN_FIX],
    [
      "name unknown: The repository with name 'team/app' does not exist in the registry with id '123456789012'",
      MISSING_FIX,
    ],
  ])('%j after the progress lines: the reason and its fix', async (reason, fix) => {
    getExecOutput.mockResolvedValueOnce(result(1, fixture('push-progress.txt'), `${reason}\n`));
    const message = await actionErrorOf(docker.pushImage(REFERENCE));
    expect(message).toContain(`docker push ${REFERENCE} failed: ${reason}`);
    expect(message).toContain(fix);
  });

  // An account ID (or any number) holding "401" is not an HTTP 401: this is an IAM denial.
  test('denied for an account whose ID holds 401: the IAM fix, not the login one', async () => {
    getExecOutput.mockResolvedValueOnce(
      result(
        1,
        '',
        'denied: User: arn:aws:sts::340123456789:assumed-role/ci/GitHubActions is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:340123456789:repository/team/app\n',
      ),
    );
    const message = await actionErrorOf(
      docker.pushImage(`340123456789.dkr.ecr.eu-west-1.amazonaws.com/team/app:1`),
    );
    expect(message).toContain(IAM_FIX);
  });

  // ECR's answer to an expired login token is a "denied", but the fix is to log in again, not IAM.
  test('an expired token: the login fix, not the IAM one', async () => {
    getExecOutput.mockResolvedValueOnce(
      result(1, '', 'denied: Your authorization token has expired. Reauthenticate and try again.\n'),
    );
    const message = await actionErrorOf(docker.pushImage(REFERENCE));
    expect(message).toContain(LOGIN_FIX);
  });
});

describe('docker not installed', () => {
  const NOT_FOUND = new Error(
    'Unable to locate executable file: docker. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable.',
  );

  test.each<[string, () => Promise<unknown>]>([
    ['hasBuildx', () => docker.hasBuildx()],
    ['localImageId', () => docker.localImageId('app:ci')],
    ['buildClassic', () => docker.buildClassic(REQUEST)],
    ['buildWithBuildx', () => docker.buildWithBuildx(REQUEST, 'push')],
    ['tagImage', () => docker.tagImage('app:ci', REFERENCE)],
    ['pushImage', () => docker.pushImage(REFERENCE)],
  ])('%s tells to install Docker', async (_, run) => {
    getExecOutput.mockRejectedValueOnce(NOT_FOUND);
    const message = await actionErrorOf(run());
    expect(message).toBe(
      `The docker CLI could not be run (${NOT_FOUND.message}): install Docker on the runner, ` +
        "or run this step on a runner that has it (GitHub's ubuntu runners do).",
    );
    expect(readdirSync(runnerTemp)).toEqual([]);
  });
});
