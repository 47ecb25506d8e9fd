import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { authValue } from '../../src/docker-config/merge.js';
import { runMain } from '../../src/action/main.js';
import { runPost } from '../../src/action/post.js';
import { createActionEnv, type ActionEnv } from '../fixtures/docker-config/action-env.js';
import { installFakeHelper, type FakeHelper } from '../fixtures/docker-config/fake-helper.js';
import { fixturePath } from '../fixtures/paths.js';

const FIXTURE = fixturePath('docker-config', 'config.json');
const A = '111111111111'; // has a stale entry in the fixture
const B = '222222222222';
const HOST_A = `${A}.dkr.ecr.eu-west-1.amazonaws.com`;
const HOST_B = `${B}.dkr.ecr.eu-west-1.amazonaws.com`;

let env: ActionEnv;
let ecr: AwsClientStub<ECRClient>;
let helper: FakeHelper | undefined;

beforeEach(async () => {
  env = await createActionEnv();
  helper = undefined;
  ecr = mockClient(ECRClient);
  ecr.on(GetAuthorizationTokenCommand).callsFake((input: { registryIds: string[] }) => ({
    authorizationData: input.registryIds.map((id) => ({
      authorizationToken: Buffer.from(`AWS:pw-${id}`).toString('base64'),
      expiresAt: new Date('2030-01-01T00:00:00Z'),
      proxyEndpoint: `https://${id}.dkr.ecr.eu-west-1.amazonaws.com`,
    })),
  }));
  process.env.AWS_REGION = 'eu-west-1';
});

afterEach(async () => {
  ecr.restore();
  await helper?.remove();
  await env.restore();
  process.exitCode = undefined;
});

const printed = () => env.stdout.join('');
const dockerDir = () => path.join(env.home, '.docker');
const configFile = () => path.join(dockerDir(), 'config.json');

/** The fixture as docker itself writes it: tabs, no final newline. */
async function writeDockerConfig(): Promise<string> {
  const text = JSON.stringify(JSON.parse(await fs.readFile(FIXTURE, 'utf8')), null, '\t');
  await fs.mkdir(dockerDir(), { recursive: true });
  await fs.writeFile(configFile(), text);
  return text;
}

describe('post after a successful main', () => {
  test('default config: restored byte for byte, the undo file deleted', async () => {
    const original = await writeDockerConfig();
    env.setInputs({ registries: `${A},${B}` });
    await runMain();
    expect(await fs.readFile(configFile(), 'utf8')).not.toBe(original);
    const { undoFile } = await env.state();
    await expect(fs.access(undoFile!)).resolves.toBeUndefined();

    await env.enterPost();
    await runPost();
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
    await expect(fs.access(undoFile!)).rejects.toThrow();
    expect(await fs.readdir(env.runnerTemp)).toEqual([]);
    expect(printed()).toContain(`Logged out of ${HOST_A}, ${HOST_B}.`);
  });

  test('a config.json main created is removed again; the directory stays', async () => {
    env.setInputs({ registries: A });
    await runMain();
    await env.enterPost();
    await runPost();
    expect(await fs.readdir(dockerDir())).toEqual([]);
  });

  test('isolated: the directory and the undo file are deleted, a default config is never touched', async () => {
    const original = await writeDockerConfig();
    env.setInputs({ registries: A, 'docker-config': 'isolated' });
    await runMain();
    const { isolatedDir } = await env.state();
    expect(isolatedDir).toBe(process.env.DOCKER_CONFIG);

    await env.enterPost();
    await runPost();
    await expect(fs.access(isolatedDir!)).rejects.toThrow();
    expect(await fs.readdir(env.runnerTemp)).toEqual([]);
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
    expect(printed()).toContain(`Removed the isolated docker config ${isolatedDir!}.`);
  });

  test('an entry a later step rewrote is left in place, and said so', async () => {
    env.setInputs({ registries: A });
    await runMain();
    const config = JSON.parse(await fs.readFile(configFile(), 'utf8')) as { auths: Record<string, unknown> };
    config.auths[HOST_A] = { auth: authValue('AWS', 'a-later-login') };
    await fs.writeFile(configFile(), JSON.stringify(config));

    await env.enterPost();
    await runPost();
    expect(JSON.parse(await fs.readFile(configFile(), 'utf8'))).toEqual(config);
    expect(printed()).toContain(`Left ${HOST_A} in ${configFile()}: a later login has replaced our entry.`);
  });

  test('skip-logout: the credentials and the isolated directory stay', async () => {
    env.setInputs({ registries: A, 'docker-config': 'isolated', 'skip-logout': 'true' });
    await runMain();
    const dir = (await env.outputs())['docker-config']!;

    await env.enterPost();
    await runPost();
    expect(JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'))).toEqual({
      auths: { [HOST_A]: { auth: authValue('AWS', `pw-${A}`) } },
    });
    expect(printed()).toContain('skip-logout is true: the registry credentials stay in the docker config.');
  });
});

describe('post after a main that failed', () => {
  test('half-way (the helper refused the second host): the first host is still undone', async () => {
    helper = await installFakeHelper('fake');
    await fs.mkdir(dockerDir(), { recursive: true });
    await fs.writeFile(configFile(), '{\n\t"credsStore": "fake"\n}');
    await helper.seed(HOST_A, 'someone', 'their-secret');
    await helper.failStoreFor(HOST_B);
    env.setInputs({ registries: `${A},${B}` });

    await expect(runMain()).rejects.toThrow(`could not store the credentials for ${HOST_B}`);
    expect(await helper.stored(HOST_A)).toMatchObject({ Secret: `pw-${A}` });

    await env.enterPost();
    await runPost();
    expect(await helper.stored(HOST_A)).toEqual({
      ServerURL: HOST_A,
      Username: 'someone',
      Secret: 'their-secret',
    });
    expect(await helper.stored(HOST_B)).toBeUndefined();
    expect(await fs.readFile(configFile(), 'utf8')).toBe('{\n\t"credsStore": "fake"\n}');
    expect(await fs.readdir(env.runnerTemp)).toEqual([]);
  });

  test('before anything was written: nothing to do', async () => {
    const original = await writeDockerConfig();
    env.setInputs({ registries: A, 'mask-password': 'maybe' });
    await expect(runMain()).rejects.toThrow("Input 'mask-password'");
    await env.enterPost();
    await expect(runPost()).resolves.toBeUndefined();
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
  });

  test('docker-config naming a file: refused with the inputs, before any AWS call', async () => {
    const file = path.join(env.root, 'docker-config.json');
    await fs.writeFile(file, '{}');
    env.setInputs({ registries: A, 'docker-config': file });
    await expect(runMain()).rejects.toThrow(
      `Input 'docker-config': '${file}' is not valid; expected a directory, but ${file} is a file`,
    );
    expect(ecr.calls()).toHaveLength(0);
    await env.enterPost();
    await expect(runPost()).resolves.toBeUndefined();
    expect(await fs.readFile(file, 'utf8')).toBe('{}');
  });

  test('killed after saving its undo record, before writing config.json: post changes nothing', async () => {
    const original = await writeDockerConfig(); // holds an older entry for A
    env.setInputs({ registries: `${A},${B}` });
    await runMain();
    const { undoFile } = await env.state();
    const record = JSON.parse(await fs.readFile(undoFile!, 'utf8')) as { fileChanges: { host: string }[] };
    expect(record.fileChanges.map((change) => change.host)).toEqual([HOST_A, HOST_B]);
    // The undo record is saved first: the config as a kill right after that leaves it.
    await fs.writeFile(configFile(), original);

    await env.enterPost();
    await runPost();
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
    expect(printed()).not.toMatch(/Logged out|Left /);
    await expect(fs.access(undoFile!)).rejects.toThrow();
  });

  test('an undo record that cannot be read: the step fails, and the isolated directory is still deleted', async () => {
    env.setInputs({ registries: A, 'docker-config': 'isolated' });
    await runMain();
    const { undoFile, isolatedDir } = await env.state();
    await fs.writeFile(undoFile!, '{ not json');
    await env.enterPost();
    await expect(runPost()).rejects.toThrow(SyntaxError);
    await expect(fs.stat(isolatedDir!)).rejects.toThrow(/ENOENT/);
  });

  test('an undo file the runner already deleted: no error', async () => {
    env.setInputs({ registries: A });
    await runMain();
    const { undoFile } = await env.state();
    await fs.rm(undoFile!);
    await env.enterPost();
    await expect(runPost()).resolves.toBeUndefined();
  });
});

describe('the entry point', () => {
  test('with the state of a main step it runs the post step', async () => {
    const original = await writeDockerConfig();
    env.setInputs({ registries: A });
    await runMain();
    await env.enterPost();
    ecr.resetHistory();

    await import('../../src/index.js');
    expect(process.exitCode).toBeUndefined();
    expect(ecr.calls()).toHaveLength(0);
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
  });
});
