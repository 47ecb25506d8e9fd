// No secret reaches what a workflow run keeps: the registry password, its base64 token, the AWS
// secret key and a proxy password are looked for in every step's log (stdout minus the add-mask
// commands the runner swallows, and stderr), outputs, state, env, path and summary files.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { authToken, start as startEcrApi } from './support/ecr-api.mjs';
import { startProxy } from './support/http-proxy.mjs';
import { freePort } from './support/proc.mjs';
import { formatTable, listFiles } from './support/reliability.mjs';
import {
  FAKE_CREDENTIALS,
  createWorkdir,
  describeStep,
  findLeaks,
  runAction,
  runPost,
} from './support/runner.mjs';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const PROXY_USER = 'user';
const PROXY_SECRET = 'proxy-secret';
/** Not loopback, so the action's NO_PROXY matching does not exempt it; the proxy maps it to 127.0.0.1. */
const API_NAME = 'ecr-api.test';

const scanned = [];
after(() => {
  const rows = scanned.map((s) => [s.scenario, s.steps, s.secrets, s.leaks]);
  const total = scanned.reduce((sum, s) => sum + s.leaks, 0);
  console.log(
    `\n${formatTable(`Secrets scan: ${total} found`, ['scenario', 'steps scanned', 'secrets looked for', 'leaks'], rows)}\n`,
  );
});

/** Every secret this run could hold: issued passwords and tokens, the AWS secret key, the proxy's. */
function secretsOf(api, extra = []) {
  return [
    ...api.issuedSecrets(),
    FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    PROXY_SECRET,
    Buffer.from(`${PROXY_USER}:${PROXY_SECRET}`).toString('base64'),
    ...extra,
  ];
}

function scan(scenario, results, secrets, { allowed = [] } = {}) {
  const leaks = findLeaks(results, secrets).filter((leak) => !allowed.includes(leak));
  scanned.push({ scenario, steps: results.length, secrets: secrets.length, leaks: leaks.length });
  assert.deepEqual(leaks, [], `${scenario}: a secret reached the log or a runner file`);
}

async function setup(t) {
  const api = await startEcrApi({ accounts: [{ accountId: ACCOUNT, region: REGION }] });
  const workdir = await createWorkdir();
  t.after(async () => {
    await api.close();
    await workdir.remove();
  });
  return { api, workdir };
}

async function proxyFor(t, api) {
  const proxy = await startProxy({
    credentials: { username: PROXY_USER, password: PROXY_SECRET },
    hosts: { [API_NAME]: '127.0.0.1' },
  });
  t.after(() => proxy.close());
  return { proxy, endpoint: `http://${API_NAME}:${api.port}` };
}

function assertOk(result) {
  assert.equal(result.code, 0, describeStep(result));
}

/** Files under `dir` holding any of `secrets`. */
async function filesHolding(dir, secrets) {
  const found = [];
  for (const name of await listFiles(dir)) {
    const text = await readFile(path.join(dir, name), 'utf8').catch(() => '');
    if (secrets.some((secret) => text.includes(secret))) found.push(name);
  }
  return found;
}

const PROXY_VIA = [
  { name: 'http-proxy input', inputs: (url) => ({ 'http-proxy': url }), env: () => ({}) },
  { name: 'HTTPS_PROXY variable', inputs: () => ({}), env: (url) => ({ HTTPS_PROXY: url }) },
  { name: 'http_proxy variable (lower case)', inputs: () => ({}), env: (url) => ({ http_proxy: url }) },
];

for (const via of PROXY_VIA) {
  test(`proxy with a password (${via.name}): the proxy carries the call, its password is never shown`, async (t) => {
    const { api, workdir } = await setup(t);
    const { proxy, endpoint } = await proxyFor(t, api);
    const url = proxy.urlWith(PROXY_USER, PROXY_SECRET);
    const main = await runAction({
      workdir,
      api,
      env: { AWS_ENDPOINT_URL_ECR: endpoint, ...via.env(url) },
      inputs: { registries: ACCOUNT, region: REGION, 'docker-config': 'isolated', ...via.inputs(url) },
    });
    assertOk(main);
    const tunnels = proxy.requests.filter(
      (r) => r.method === 'CONNECT' && r.target === `${API_NAME}:${api.port}`,
    );
    assert.equal(tunnels.length, 1, `the proxy carried the API call: ${JSON.stringify(proxy.requests)}`);
    assert.equal(tunnels[0].authorized, true, 'with the proxy credentials');
    assert.equal(tunnels[0].user, PROXY_USER);
    assert.equal(api.callsOf('GetAuthorizationToken').length, 1, 'the call reached the stand-in');
    assert.match(
      main.visibleLog,
      new RegExp(`through the proxy http://\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port}/`),
    );
    const config = JSON.parse(
      await readFile(path.join(main.outputs['docker-config'], 'config.json'), 'utf8'),
    );
    assert.equal(config.auths[HOST]?.auth, authToken(api.account(ACCOUNT, REGION).password));

    const post = await runPost(main);
    assertOk(post);
    scan(`proxy with password, ${via.name}`, [main, post], secretsOf(api));
  });
}

test('proxy refuses the password (407): fails in bounded attempts without showing it', async (t) => {
  const { api, workdir } = await setup(t);
  const { proxy, endpoint } = await proxyFor(t, api);
  const wrong = 'wrong-proxy-password';
  const main = await runAction({
    workdir,
    api,
    env: { AWS_ENDPOINT_URL_ECR: endpoint },
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      'docker-config': 'isolated',
      'max-attempts': '2',
      'http-proxy': proxy.urlWith(PROXY_USER, wrong),
    },
  });
  assert.equal(main.code, 1, describeStep(main));
  assert.equal(main.errors.length, 1);
  assert.match(main.errors[0], /after 2 of 2 attempts .*407/);
  assert.equal(api.calls.length, 0, 'nothing got past the proxy');
  assert.equal(proxy.requests.length, 2);
  const post = await runPost(main);
  assertOk(post);
  scan('proxy refuses the password', [main, post], secretsOf(api, [wrong]));
});

test('proxy unreachable: fails in bounded attempts without showing its password', async (t) => {
  const { api, workdir } = await setup(t);
  const port = await freePort();
  const main = await runAction({
    workdir,
    api,
    env: { AWS_ENDPOINT_URL_ECR: `http://${API_NAME}:${api.port}` },
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      'max-attempts': '2',
      'http-proxy': `http://${PROXY_USER}:${PROXY_SECRET}@127.0.0.1:${port}`,
    },
  });
  assert.equal(main.code, 1, describeStep(main));
  assert.match(main.errors[0], /^Could not reach the AWS API .* after 2 of 2 attempts/);
  assert.equal(api.calls.length, 0);
  scan('proxy unreachable', [main], secretsOf(api));
});

test('debug logging on: no secret in the debug output either', async (t) => {
  const { api, workdir } = await setup(t);
  const { proxy, endpoint } = await proxyFor(t, api);
  const main = await runAction({
    workdir,
    api,
    env: { AWS_ENDPOINT_URL_ECR: endpoint, RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' },
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      'docker-config': 'isolated',
      'http-proxy': proxy.urlWith(PROXY_USER, PROXY_SECRET),
    },
  });
  assertOk(main);
  const post = await runPost(main, { env: { RUNNER_DEBUG: '1' } });
  assertOk(post);
  scan('debug logging on', [main, post], secretsOf(api));
});

test('default settings: masks registered before any output, 0600 files, nothing left after post', async (t) => {
  const { api, workdir } = await setup(t);
  const dockerDir = path.join(workdir.home, '.docker');
  await mkdir(dockerDir, { recursive: true });
  // A previous login for the same host: the undo record must hold it, and must not outlive the job.
  const previous = Buffer.from('AWS:previous-registry-password').toString('base64');
  await writeFile(
    path.join(dockerDir, 'config.json'),
    JSON.stringify({ auths: { [HOST]: { auth: previous } } }),
    {
      mode: 0o600,
    },
  );
  const main = await runAction({ workdir, api, inputs: { registries: HOST, region: REGION } });
  assertOk(main);
  const password = api.account(ACCOUNT, REGION).password;
  const token = authToken(password);
  assert.ok(main.masks.includes(password), 'password registered with add-mask');
  assert.ok(main.masks.includes(token), 'base64 token registered with add-mask');
  const lines = main.stdout.split('\n');
  const lastMask = lines.findLastIndex((line) => line.startsWith('::add-mask::'));
  const loggedIn = lines.findIndex((line) => line.startsWith('Logged in to '));
  assert.ok(lastMask >= 0 && lastMask < loggedIn, 'masks come before the login is reported');

  assert.equal(statSync(path.join(dockerDir, 'config.json')).mode & 0o777, 0o600);
  const undo = (await readdir(workdir.runnerTemp)).filter((name) => name.startsWith('ecr-push-action-undo-'));
  assert.equal(undo.length, 1, 'one undo record');
  assert.equal(statSync(path.join(workdir.runnerTemp, undo[0])).mode & 0o777, 0o600);
  assert.equal(JSON.stringify(main.state).includes('previous-registry-password'), false);

  const post = await runPost(main);
  assertOk(post);
  scan('default settings', [main, post], secretsOf(api, [previous, 'previous-registry-password']));
  assert.deepEqual(await filesHolding(workdir.root, [password, token]), [], 'credentials left on disk');
  assert.deepEqual(await listFiles(workdir.runnerTemp), [], 'undo record removed');
});

test('mask-password false: the password is in its output only, the token still never shown', async (t) => {
  const { api, workdir } = await setup(t);
  const main = await runAction({
    workdir,
    api,
    inputs: { registries: ACCOUNT, region: REGION, 'docker-config': 'isolated', 'mask-password': 'false' },
  });
  assertOk(main);
  const password = api.account(ACCOUNT, REGION).password;
  const suffix = HOST.replace(/[^a-zA-Z0-9_]+/g, '_');
  assert.equal(main.outputs[`docker_password_${suffix}`], password);
  assert.equal(main.masks.includes(password), false, 'not masked, as asked');
  assert.ok(main.masks.includes(authToken(password)));
  const post = await runPost(main);
  assertOk(post);
  const secrets = secretsOf(api);
  const where = findLeaks([main, post], secrets);
  const passwordIndex = secrets.indexOf(password);
  assert.deepEqual(where, [`main output: secret #${passwordIndex}`], 'only the requested output holds it');
  scan('mask-password false (password output expected)', [main, post], secrets, { allowed: where });
});

test('skip-logout: credentials stay in the config, but not in the state, env or log', async (t) => {
  const { api, workdir } = await setup(t);
  const main = await runAction({
    workdir,
    api,
    inputs: { registries: ACCOUNT, region: REGION, 'skip-logout': 'true' },
  });
  assertOk(main);
  assert.equal(main.state.undoFile, undefined, 'no undo record');
  const post = await runPost(main);
  assertOk(post);
  assert.match(post.visibleLog, /skip-logout is true/);
  const config = JSON.parse(await readFile(path.join(workdir.home, '.docker', 'config.json'), 'utf8'));
  assert.ok(config.auths[HOST], 'left in place, as asked');
  assert.deepEqual(await listFiles(workdir.runnerTemp), []);
  scan('skip-logout', [main, post], secretsOf(api));
});
