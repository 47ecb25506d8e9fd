// The login foundation end to end: dist/index.js under Node 24 against the ECR stand-in, a real
// registry behind the proxyEndpoint and a real Docker daemon pushing with the written config.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { authToken, start as startEcrApi } from './support/ecr-api.mjs';
import { buildScratchImage, docker, ensureDockerd, removeImages } from './support/docker.mjs';
import { listTags, startRegistry } from './support/registry.mjs';
import { createWorkdir, describeStep, findLeaks, runAction, runPost } from './support/runner.mjs';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const STANDARD_HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

let registry;
let dockerd;

before(async () => {
  registry = await startRegistry();
  dockerd = await ensureDockerd();
});

after(async () => {
  await registry?.close();
  await dockerd?.stop();
});

/** A stand-in and a job directory for one test, both cleaned up with it. */
async function setup(t, accounts) {
  const api = await startEcrApi({ accounts });
  const workdir = await createWorkdir();
  t.after(async () => {
    await api.close();
    await workdir.remove();
  });
  return { api, workdir };
}

async function readConfig(dir) {
  const file = path.join(dir, 'config.json');
  return { file, json: JSON.parse(await readFile(file, 'utf8')), mode: statSync(file).mode & 0o777 };
}

function assertOk(result) {
  assert.equal(result.code, 0, describeStep(result));
}

/** The entry for `host` holds `token`; the message names the host and never prints a token. */
function assertAuth(config, host, token) {
  const entry = config.auths?.[host];
  assert.ok(
    entry,
    `config.json has no auths entry for ${host}; it has: ${Object.keys(config.auths ?? {}).join(', ')}`,
  );
  assert.ok(
    entry.auth === token,
    `auths["${host}"].auth is not base64("AWS:<password>") of the token issued`,
  );
}

function assertNoLeaks(results, secrets) {
  assert.deepEqual(findLeaks(results, secrets), [], 'a password or token reached the log or a runner file');
}

/** Files under `dir` that hold any of `secrets`: after logout, none should. */
async function filesHolding(dir, secrets) {
  const found = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const text = await readFile(file, 'utf8');
    if (secrets.some((secret) => text.includes(secret))) found.push(path.relative(dir, file));
  }
  return found;
}

function uniqueRepo(name) {
  return `${name}-${randomBytes(3).toString('hex')}`;
}

test('isolated config: login, docker push, logout; nothing secret in the log', async (t) => {
  if (!dockerd.available) return t.skip(dockerd.reason);
  const { api, workdir } = await setup(t, [
    {
      accountId: ACCOUNT,
      region: REGION,
      proxyEndpoint: `http://${registry.host}`,
      password: registry.password,
    },
  ]);
  const token = authToken(registry.password);

  const main = await runAction({
    workdir,
    api,
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      'docker-config': 'isolated',
      repository: 'team/app',
      'create-repository': 'true',
    },
  });
  assertOk(main);

  assert.equal(main.outputs.registry, registry.host);
  // Tags from the runner's push context (GITHUB_SHA, refs/heads/main), as full references.
  assert.deepEqual(main.outputs.tags.split('\n'), [
    `${registry.host}/team/app:sha-0123456`,
    `${registry.host}/team/app:main`,
  ]);
  assert.match(
    main.outputs.labels,
    /^org\.opencontainers\.image\.revision=0123456789abcdef0123456789abcdef01234567$/m,
  );
  const registries = JSON.parse(main.outputs.registries);
  assert.ok(Array.isArray(registries) && registries.includes(registry.host), main.outputs.registries);
  const configDir = main.outputs['docker-config'];
  assert.ok(configDir, 'docker-config output');
  assert.ok(
    path.resolve(configDir).startsWith(workdir.runnerTemp + path.sep),
    `${configDir} is under RUNNER_TEMP`,
  );
  assert.equal(main.exportedEnv.DOCKER_CONFIG, configDir, 'isolated config exported as DOCKER_CONFIG');
  const issued = api.callsOf('GetAuthorizationToken');
  assert.equal(issued.length, 1);
  assert.equal(issued[0].region, REGION);
  assert.deepEqual(issued[0].body.registryIds, [ACCOUNT]);
  const expiresAt = Date.parse(main.outputs['expires-at']);
  const expectedExpiry = Math.floor(issued[0].time / 1000) * 1000 + 12 * 3600 * 1000;
  assert.ok(Math.abs(expiresAt - expectedExpiry) <= 2000, `expires-at ${main.outputs['expires-at']}`);
  assert.match(main.outputs['expires-at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);

  const config = await readConfig(configDir);
  assert.equal(config.mode, 0o600, `config.json mode ${config.mode.toString(8)}`);
  assertAuth(config.json, registry.host, token);
  // An account ID is logged in under the proxyEndpoint the API returns, and under nothing else.
  assert.deepEqual(Object.keys(config.json.auths), [registry.host]);
  assert.equal(main.state.isPost, 'true');
  assert.ok(main.masks.includes(registry.password), 'the password is registered with add-mask');

  const repo = uniqueRepo('app');
  const image = `${registry.host}/${repo}:1`;
  t.after(() => removeImages(image));
  await buildScratchImage(image);
  const pushed = await docker(['push', image], { env: { DOCKER_CONFIG: configDir } });
  assert.equal(pushed.code, 0, `docker push with the action's config:\n${pushed.stderr}`);
  assert.deepEqual(await listTags(registry, repo), ['1']);

  const post = await runPost(main);
  assertOk(post);
  assert.equal(existsSync(configDir), false, 'isolated docker config removed by post');

  const after = await docker(['push', image], { env: { DOCKER_CONFIG: configDir } });
  assert.notEqual(after.code, 0, 'push after logout must fail');
  assert.match(after.stderr, /no basic auth credentials|unauthorized|authentication required/i);

  assertNoLeaks([main, post], [registry.password, token]);
  assert.deepEqual(
    await filesHolding(workdir.root, [registry.password, token]),
    [],
    'credentials left on disk',
  );
});

test('default config: other entries survive, post restores the file byte for byte', async (t) => {
  const proxyHost = '127.0.0.1:5001';
  const { api, workdir } = await setup(t, [
    { accountId: ACCOUNT, region: REGION, proxyEndpoint: `http://${proxyHost}` },
  ]);
  const password = api.account(ACCOUNT, REGION).password;
  const dockerDir = path.join(workdir.home, '.docker');
  await mkdir(dockerDir, { recursive: true });
  const existing = {
    auths: {
      'ghcr.io': { auth: Buffer.from('octocat:not-a-real-token').toString('base64') },
      [STANDARD_HOST]: { auth: Buffer.from('AWS:stale-password').toString('base64') },
    },
    credHelpers: { '222222222222.dkr.ecr.us-west-2.amazonaws.com': 'ecr-login' },
    psFormat: 'table {{.ID}}\\t{{.Names}}',
    'x-unknown-key': { nested: [1, 'two', { three: true }] },
  };
  // The Docker CLI's own layout (tab indent, no final newline), so a rewrite has to preserve it.
  const original = JSON.stringify(existing, null, '\t');
  await writeFile(path.join(dockerDir, 'config.json'), original, { mode: 0o600 });

  const main = await runAction({
    workdir,
    api,
    // A hostname is logged in as written (replacing the stale entry) and under the proxyEndpoint.
    inputs: { registries: STANDARD_HOST, 'docker-config': 'default' },
  });
  assertOk(main);
  assert.equal(path.resolve(main.outputs['docker-config']), dockerDir);
  assert.equal(main.outputs.registry, STANDARD_HOST);

  const during = await readConfig(dockerDir);
  assert.equal(during.mode, 0o600);
  assertAuth(during.json, proxyHost, authToken(password));
  assertAuth(during.json, STANDARD_HOST, authToken(password));
  assert.deepEqual(during.json.auths['ghcr.io'], existing.auths['ghcr.io']);
  assert.deepEqual(during.json.credHelpers, existing.credHelpers);
  assert.equal(during.json.psFormat, existing.psFormat);
  assert.deepEqual(during.json['x-unknown-key'], existing['x-unknown-key']);

  const post = await runPost(main);
  assertOk(post);
  assert.equal(await readFile(path.join(dockerDir, 'config.json'), 'utf8'), original);

  assertNoLeaks([main, post], [password, authToken(password)]);
  assert.deepEqual(
    await filesHolding(workdir.root, [password, authToken(password)]),
    [],
    'credentials left on disk',
  );
});

test('two regions in one run: one GetAuthorizationToken per region', async (t) => {
  const eu = { accountId: ACCOUNT, region: 'eu-west-1', proxyEndpoint: 'http://127.0.0.1:5001' };
  const us = { accountId: '222222222222', region: 'us-east-1', proxyEndpoint: 'http://127.0.0.1:5002' };
  const { api, workdir } = await setup(t, [eu, us]);
  const hosts = [eu, us].map((a) => `${a.accountId}.dkr.ecr.${a.region}.amazonaws.com`);
  const main = await runAction({
    workdir,
    api,
    // AWS_REGION names a third region: each hostname's own region must win.
    env: { AWS_REGION: 'ap-southeast-2' },
    inputs: { registries: hosts.join('\n'), 'docker-config': 'isolated' },
  });
  assertOk(main);

  const calls = api.callsOf('GetAuthorizationToken');
  assert.deepEqual(
    calls.map((c) => c.region).sort(),
    ['eu-west-1', 'us-east-1'],
    'exactly one call per region, none for AWS_REGION',
  );
  assert.deepEqual(calls.find((c) => c.region === 'eu-west-1').body.registryIds, [ACCOUNT]);
  assert.deepEqual(calls.find((c) => c.region === 'us-east-1').body.registryIds, ['222222222222']);

  const config = await readConfig(main.outputs['docker-config']);
  const registries = JSON.parse(main.outputs.registries);
  [eu, us].forEach((account, i) => {
    const token = authToken(api.account(account.accountId, account.region).password);
    assertAuth(config.json, hosts[i], token);
    assert.ok(registries.includes(hosts[i]), `${hosts[i]} in ${main.outputs.registries}`);
  });

  const post = await runPost(main);
  assertOk(post);
  assert.equal(existsSync(main.outputs['docker-config']), false);
  assertNoLeaks([main, post], api.issuedSecrets());
  assert.deepEqual(await filesHolding(workdir.root, api.issuedSecrets()), []);
});

test('no region anywhere: exit code 1, no API call, post still succeeds', async (t) => {
  const { api, workdir } = await setup(t, []);
  const main = await runAction({
    workdir,
    api,
    env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined },
    inputs: { registries: ACCOUNT },
  });
  assert.equal(main.code, 1, describeStep(main));
  assert.ok(main.errors.length > 0, 'an ::error:: annotation says why');
  assert.equal(api.calls.length, 0);
  assert.equal(main.outputs.registry, undefined);

  const post = await runPost(main);
  assertOk(post);
});

test('no credentials: exit code 1, nothing written', async (t) => {
  const { api, workdir } = await setup(t, []);
  const main = await runAction({
    workdir,
    api,
    env: {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      // The credential chain would otherwise wait on the instance metadata service.
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    inputs: { registries: ACCOUNT, region: REGION, 'docker-config': 'default' },
  });
  assert.equal(main.code, 1, describeStep(main));
  assert.ok(main.errors.length > 0, 'an ::error:: annotation says why');
  assert.equal(api.callsOf('GetAuthorizationToken').filter((c) => c.status === 200).length, 0);
  assert.equal(existsSync(path.join(workdir.home, '.docker', 'config.json')), false);

  const post = await runPost(main);
  assertOk(post);
});
