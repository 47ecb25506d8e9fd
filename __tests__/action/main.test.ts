import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  ECRPUBLICClient,
  GetAuthorizationTokenCommand as GetPublicAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr-public';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { authValue } from '../../src/docker-config/merge.js';
import { runMain } from '../../src/action/main.js';
import { createActionEnv, type ActionEnv } from '../fixtures/docker-config/action-env.js';
import { mockRepository as mockRepositoryOf } from '../fixtures/mocked-repository.js';

const A = '111111111111';
const B = '222222222222';
const HOST_A = `${A}.dkr.ecr.eu-west-1.amazonaws.com`;
const HOST_B = `${B}.dkr.ecr.us-east-1.amazonaws.com`;
const DUAL_B = `${B}.dkr-ecr.us-east-1.on.aws`;
const EXPIRES_A = new Date('2030-05-01T12:00:00.000Z');
const EXPIRES_B = new Date('2030-05-01T08:00:00.000Z');
/** ECR passwords are long base64-ish strings; these are distinctive so any leak is found. */
const PASSWORD: Record<string, string> = {
  [A]: 'eyJwYXlsb2FkIjoiQUFBQSJ9+secret/A=',
  [B]: 'eyJwYXlsb2FkIjoiQkJCQiJ9+secret/B=',
};

let env: ActionEnv;
let ecr: AwsClientStub<ECRClient>;
let ecrPublic: AwsClientStub<ECRPUBLICClient>;

beforeEach(async () => {
  env = await createActionEnv();
  ecr = mockClient(ECRClient);
  ecrPublic = mockClient(ECRPUBLICClient);
  ecr.on(GetAuthorizationTokenCommand).callsFake(async (input: { registryIds?: string[] }, getClient) => {
    const region = await (getClient().config as unknown as { region: () => Promise<string> }).region();
    const ids = input.registryIds ?? [A];
    return {
      authorizationData: ids.map((id) => ({
        authorizationToken: Buffer.from(`AWS:${PASSWORD[id]!}`).toString('base64'),
        expiresAt: id === A ? EXPIRES_A : EXPIRES_B,
        proxyEndpoint: `https://${id}.dkr.ecr.${region}.amazonaws.com`,
      })),
    };
  });
  process.env.AWS_REGION = 'eu-west-1';
});

afterEach(async () => {
  ecr.restore();
  ecrPublic.restore();
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
/** The outputs of the login (other steps of the action add outputs of their own). */
const LOGIN_OUTPUT = /^(registry|registries|docker-config|expires-at|docker_(username|password)_.*)$/;
const loginOutputs = async () =>
  Object.fromEntries(Object.entries(await env.outputs()).filter(([name]) => LOGIN_OUTPUT.test(name)));
const defaultConfigFile = () => path.join(env.home, '.docker', 'config.json');
const readJson = async (file: string) =>
  JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;

describe('main: outputs, docker config and state', () => {
  test('two registries in two regions, default docker config', async () => {
    env.setInputs({ registries: `${A}\n${DUAL_B}` });
    await runMain();

    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 2);
    expect(await loginOutputs()).toEqual({
      registry: HOST_A,
      registries: JSON.stringify([HOST_A, DUAL_B]),
      'docker-config': path.join(env.home, '.docker'),
      'expires-at': '2030-05-01T08:00:00.000Z',
      docker_username_111111111111_dkr_ecr_eu_west_1_amazonaws_com: 'AWS',
      docker_username_222222222222_dkr_ecr_us_east_1_on_aws: 'AWS',
      docker_username_222222222222_dkr_ecr_us_east_1_amazonaws_com: 'AWS',
    });

    expect(await readJson(defaultConfigFile())).toEqual({
      auths: {
        [HOST_A]: { auth: authValue('AWS', PASSWORD[A]!) },
        [DUAL_B]: { auth: authValue('AWS', PASSWORD[B]!) },
        [HOST_B]: { auth: authValue('AWS', PASSWORD[B]!) },
      },
    });

    const state = await env.state();
    expect(state).toEqual({ isPost: 'true', skipLogout: 'false', undoFile: expect.any(String) });
    expect(path.dirname(state.undoFile!)).toBe(env.runnerTemp);
    expect((await fs.stat(state.undoFile!)).mode & 0o777).toBe(0o600);
    expect(await env.exported()).toEqual({});
    expect(printed()).toContain(`Logged in to ${HOST_A}, ${DUAL_B}`);
  });

  test('every password and auth value is masked before anything else that holds it is printed', async () => {
    env.setInputs({ registries: `${A}\n${DUAL_B}` });
    await runMain();

    const secrets = [
      PASSWORD[A]!,
      PASSWORD[B]!,
      authValue('AWS', PASSWORD[A]!),
      authValue('AWS', PASSWORD[B]!),
    ];
    const lines = printed().split('\n');
    for (const secret of secrets) {
      const masked = lines.indexOf(`::add-mask::${secret}`);
      expect(masked).toBeGreaterThanOrEqual(0);
      const first = lines.findIndex((line) => line.includes(secret));
      expect(first).toBe(masked);
    }
    // Masked passwords are not written to any output file either.
    const outputsText = Object.values(await env.outputs()).join('\n');
    for (const secret of secrets) expect(outputsText).not.toContain(secret);
  });

  test('mask-password false: docker_password_* outputs, the password itself unmasked', async () => {
    env.setInputs({ registries: A, 'mask-password': 'false' });
    await runMain();

    const outputs = await loginOutputs();
    expect(outputs.docker_password_111111111111_dkr_ecr_eu_west_1_amazonaws_com).toBe(PASSWORD[A]);
    expect(outputs.docker_username_111111111111_dkr_ecr_eu_west_1_amazonaws_com).toBe('AWS');
    expect(printed()).not.toContain(`::add-mask::${PASSWORD[A]!}\n`);
    expect(printed()).toContain(`::add-mask::${authValue('AWS', PASSWORD[A]!)}\n`);
  });

  test("the caller's own registry when registries is empty", async () => {
    await runMain();
    expect(ecr).toHaveReceivedCommandWith(GetAuthorizationTokenCommand, {});
    expect((await env.outputs()).registry).toBe(HOST_A);
  });

  test('isolated: a fresh 0700 directory under RUNNER_TEMP, exported as DOCKER_CONFIG', async () => {
    env.setInputs({ registries: A, 'docker-config': 'isolated' });
    await runMain();

    const { 'docker-config': dir } = await env.outputs();
    expect(path.dirname(dir!)).toBe(env.runnerTemp);
    expect((await fs.stat(dir!)).mode & 0o777).toBe(0o700);
    // buildx's builders (docker/setup-buildx-action's) stay where they were: BUILDX_CONFIG is kept.
    expect(await env.exported()).toEqual({
      DOCKER_CONFIG: dir,
      BUILDX_CONFIG: path.join(env.home, '.docker', 'buildx'),
    });
    expect(process.env.DOCKER_CONFIG).toBe(dir);
    expect(await readJson(path.join(dir!, 'config.json'))).toEqual({
      auths: { [HOST_A]: { auth: authValue('AWS', PASSWORD[A]!) } },
    });
    expect((await env.state()).isolatedDir).toBe(dir);
    await expect(fs.access(path.join(env.home, '.docker'))).rejects.toThrow();
  });

  test('isolated with BUILDX_CONFIG already set: left as it is', async () => {
    process.env.BUILDX_CONFIG = path.join(env.home, 'buildx-state');
    env.setInputs({ registries: A, 'docker-config': 'isolated' });
    await runMain();
    expect(Object.keys(await env.exported())).toEqual(['DOCKER_CONFIG']);
    expect(process.env.BUILDX_CONFIG).toBe(path.join(env.home, 'buildx-state'));
  });

  test('a docker-config path, relative to the workspace', async () => {
    env.setInputs({ registries: A, 'docker-config': 'ci/docker' });
    await runMain();
    const dir = path.join(process.env.GITHUB_WORKSPACE!, 'ci', 'docker');
    expect((await env.outputs())['docker-config']).toBe(dir);
    expect(await readJson(path.join(dir, 'config.json'))).toHaveProperty(['auths', HOST_A]);
  });

  test('skip-logout: nothing saved for the post step', async () => {
    env.setInputs({ registries: A, 'docker-config': 'isolated', 'skip-logout': 'true' });
    await runMain();
    expect(await env.state()).toEqual({ isPost: 'true', skipLogout: 'true' });
    expect(await fs.readdir(env.runnerTemp)).toEqual([
      path.basename((await env.outputs())['docker-config']!),
    ]);
  });

  test('ECR Public: public.ecr.aws through the ECR Public API', async () => {
    ecrPublic.on(GetPublicAuthorizationTokenCommand).resolves({
      authorizationData: {
        authorizationToken: Buffer.from('AWS:public-pw').toString('base64'),
        expiresAt: EXPIRES_A,
      },
    });
    env.setInputs({ 'registry-type': 'public' });
    await runMain();
    expect(ecr).not.toHaveReceivedAnyCommand();
    expect(await loginOutputs()).toEqual({
      registry: 'public.ecr.aws',
      registries: '["public.ecr.aws"]',
      'docker-config': path.join(env.home, '.docker'),
      docker_username_public_ecr_aws: 'AWS',
      'expires-at': EXPIRES_A.toISOString(),
    });
    expect(await readJson(defaultConfigFile())).toEqual({
      auths: { 'public.ecr.aws': { auth: authValue('AWS', 'public-pw') } },
    });
  });

  test('a proxy is announced without its credentials', async () => {
    env.setInputs({ registries: A, 'http-proxy': 'http://ci:hunter2@proxy.corp:3128' });
    await runMain();
    expect(printed()).toContain(
      'AWS API calls go through the proxy http://***@proxy.corp:3128/ (NO_PROXY honoured).',
    );
    expect(printed()).not.toContain('hunter2');
  });
});

describe('main: repository', () => {
  test('an immutable repository: moving tags are dropped from the outputs, with a warning', async () => {
    mockRepository('IMMUTABLE', [{ digest: 'sha256:old', tags: ['main'] }]);
    env.setInputs({ registries: A, repository: 'team/app' });
    await runMain();

    const outputs = await env.outputs();
    expect(outputs['tag-names']).toBe('sha-0123456');
    expect(outputs['repository-uri']).toBe(`${HOST_A}/team/app`);
    expect(outputs['repository-created']).toBe('false');
    expect(printed()).toMatch(/::warning::.*skipped main/);
    const policy = JSON.parse(outputs['iam-policy']!) as {
      Statement: { Action: string[]; Resource: unknown }[];
    };
    const actions = policy.Statement.flatMap((statement) => statement.Action);
    expect(actions).toEqual(
      expect.arrayContaining(['ecr:GetAuthorizationToken', 'ecr:DescribeRepositories', 'ecr:PutImage']),
    );
    expect(JSON.stringify(policy)).toContain(`arn:aws:ecr:eu-west-1:${A}:repository/team/app`);
    expect(ecr).not.toHaveReceivedCommand(CreateRepositoryCommand);
  });

  test('on-immutable: fail stops the step, naming the tag', async () => {
    mockRepository('IMMUTABLE', [{ digest: 'sha256:old', tags: ['main'] }]);
    env.setInputs({ registries: A, repository: 'team/app', 'on-immutable': 'fail' });
    await expect(runMain()).rejects.toThrow(/'main'/);
  });

  test('a missing repository without create-repository: the fix is named', async () => {
    ecr
      .on(DescribeRepositoriesCommand)
      .rejects(new RepositoryNotFoundException({ message: 'none', $metadata: {} }));
    env.setInputs({ registries: A, repository: 'team/app' });
    await expect(runMain()).rejects.toThrow(/create-repository: true/);
  });

  test('without a repository no repository call is made and the policy is login only', async () => {
    env.setInputs({ registries: A });
    await runMain();
    expect(ecr).not.toHaveReceivedCommand(DescribeRepositoriesCommand);
    const policy = JSON.parse((await env.outputs())['iam-policy']!) as { Statement: { Action: string[] }[] };
    expect(policy.Statement.flatMap((statement) => statement.Action)).toEqual(['ecr:GetAuthorizationToken']);
  });
});

describe('main: tags and labels', () => {
  test('full references for every registry, metadata-action outputs, OCI build args', async () => {
    mockRepository('MUTABLE');
    env.setInputs({
      registries: `${A}\n${DUAL_B}`,
      repository: 'team/app',
      tags: 'type=sha\ntype=raw,value=build-{{run_number}}',
      labels: 'org.opencontainers.image.vendor=Octo',
    });
    await runMain();

    const outputs = await env.outputs();
    expect(outputs.tags!.split('\n')).toEqual([
      `${HOST_A}/team/app:sha-0123456`,
      `${HOST_A}/team/app:build-7`,
      `${DUAL_B}/team/app:sha-0123456`,
      `${DUAL_B}/team/app:build-7`,
    ]);
    expect(outputs['tag-names']).toBe(`sha-0123456\nbuild-7`);
    expect(outputs.labels).toContain(
      'org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567',
    );
    expect(outputs.labels).toContain('org.opencontainers.image.vendor=Octo');
    expect(outputs['build-args']).toContain('OCI_REVISION=0123456789abcdef0123456789abcdef01234567');
    // The registry password never becomes a build arg or a label.
    expect(outputs['build-args']).not.toContain(PASSWORD[A]);
    expect(outputs.labels).not.toContain(PASSWORD[A]);
    expect(printed()).toMatch(/Tags: sha-0123456, build-/);
  });

  test('a tag rule that cannot make a tag fails before any AWS call', async () => {
    env.setInputs({ registries: A, tags: 'type=nonsense' });
    await expect(runMain()).rejects.toThrow("Input 'tags'");
    expect(ecr.calls()).toHaveLength(0);
    await expect(fs.stat(defaultConfigFile())).rejects.toThrow(/ENOENT/);
  });
});

describe('main: failures', () => {
  test.each<[string, Record<string, string>, () => void, string | RegExp]>([
    [
      'an invalid input, before any AWS call',
      { 'max-attempts': '0' },
      () => {},
      "Input 'max-attempts': '0' is not valid",
    ],
    [
      'access denied',
      { registries: A },
      () => {
        ecr
          .on(GetAuthorizationTokenCommand)
          .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
      },
      /Access denied: .*ecr:GetAuthorizationToken in eu-west-1/,
    ],
    [
      'a docker config that is not JSON',
      { registries: A, 'docker-config': 'broken' },
      () => {},
      /config\.json is not valid JSON .*'docker-config: isolated'/,
    ],
  ])('%s: rejects, writes no credentials, leaves no undo file', async (_name, inputs, arrange, message) => {
    const broken = path.join(process.env.GITHUB_WORKSPACE!, 'broken');
    await fs.mkdir(broken, { recursive: true });
    await fs.writeFile(path.join(broken, 'config.json'), '{"auths": ');
    env.setInputs(inputs);
    arrange();
    await expect(runMain()).rejects.toThrow(message);
    expect(await loginOutputs()).toEqual({});
    expect((await env.state()).undoFile).toBeUndefined();
    expect(await fs.readdir(env.runnerTemp)).toEqual([]);
    await expect(fs.access(defaultConfigFile())).rejects.toThrow();
    expect(await fs.readFile(path.join(broken, 'config.json'), 'utf8')).toBe('{"auths": ');
  });

  test('the entry point turns a failure into ::error:: and exit code 1', async () => {
    env.setInputs({ 'registry-type': 'privat' });
    await import('../../src/index.js');
    expect(process.exitCode).toBe(1);
    expect(printed()).toContain("::error::Input 'registry-type': 'privat' is not valid; expected 'private'");
    expect(ecr).not.toHaveReceivedAnyCommand();
  });
});
