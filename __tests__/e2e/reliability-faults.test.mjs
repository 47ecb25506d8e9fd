// Fault injection end to end: dist/index.js against the ECR stand-in while it throttles, fails with
// 5xx, drops connections, answers slower than the client's request timeout, or refuses the
// credentials. Transient faults within `max-attempts` must be survived in bounded time; faults that
// outlast it, and the ones no retry can fix, must fail in one line that says what to do.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { authToken, defaultHandlers, start as startEcrApi } from './support/ecr-api.mjs';
import { formatTable, listFiles, round } from './support/reliability.mjs';
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
/** The action's request timeout (src/aws/client-options.ts). */
const REQUEST_TIMEOUT_MS = 15_000;

const figures = [];

after(() => {
  const rows = figures.map((f) => [f.scenario, f.maxAttempts, f.outcome, f.calls, f.elapsedMs]);
  console.log(
    `\n${formatTable(
      'Fault injection (GetAuthorizationToken; calls = requests the stand-in received)',
      ['scenario', 'max-attempts', 'outcome', 'calls', 'elapsed ms'],
      rows,
    )}\n`,
  );
});

/** A stand-in (with `faults`) and a job directory, both removed after the test. */
async function setup(t, options = {}) {
  const api = await startEcrApi({ accounts: [{ accountId: ACCOUNT, region: REGION }], ...options });
  const workdir = await createWorkdir();
  t.after(async () => {
    await api.close();
    await workdir.remove();
  });
  return { api, workdir };
}

/**
 * The first `count` GetAuthorizationToken calls get no answer until the test ends (the client has to
 * time out); later ones are answered normally.
 */
function hangFirst(t, api, count) {
  const release = new AbortController();
  t.after(() => release.abort());
  let seen = 0;
  api.setHandler('ecr', 'GetAuthorizationToken', async (ctx) => {
    seen += 1;
    if (seen <= count) {
      await sleepFor(120_000, undefined, { signal: release.signal }).catch(() => {});
      throw new Error('released after the test');
    }
    return defaultHandlers.ecr.GetAuthorizationToken(ctx);
  });
}

async function login(api, workdir, maxAttempts) {
  const started = performance.now();
  const main = await runAction({
    workdir,
    api,
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      'docker-config': 'isolated',
      'max-attempts': String(maxAttempts),
    },
  });
  return { main, elapsedMs: round(performance.now() - started) };
}

function record(scenario, maxAttempts, main, api, elapsedMs) {
  figures.push({
    scenario,
    maxAttempts,
    outcome: main.code === 0 ? 'logged in' : `exit ${main.code}`,
    calls: api.callsOf('GetAuthorizationToken').length,
    elapsedMs,
  });
}

function assertNoLeaks(results, api) {
  const secrets = [...api.issuedSecrets(), FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY];
  assert.deepEqual(findLeaks(results, secrets), [], 'a secret reached the log or a runner file');
}

/** The step logged in: the isolated config holds the token; post removes it. */
async function assertLoggedIn(main, api) {
  assert.equal(main.code, 0, describeStep(main));
  assert.deepEqual(main.errors, []);
  const dir = main.outputs['docker-config'];
  const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
  assert.ok(
    config.auths?.[HOST]?.auth === authToken(api.account(ACCOUNT, REGION).password),
    `config.json holds the issued token for ${HOST}`,
  );
  const post = await runPost(main);
  assert.equal(post.code, 0, describeStep(post));
  assert.equal(existsSync(dir), false, 'post removed the isolated config');
  assertNoLeaks([main, post], api);
}

/** One `::error::` line, no line break in it, nothing left on disk, post still fine. */
async function assertFailedCleanly(main, api, workdir, pattern) {
  assert.equal(main.code, 1, describeStep(main));
  assert.equal(main.errors.length, 1, `exactly one error annotation:\n${describeStep(main)}`);
  const [message] = main.errors;
  assert.ok(!/[\r\n]/.test(message), `one line: ${JSON.stringify(message)}`);
  assert.match(message, pattern);
  assert.deepEqual(await listFiles(workdir.runnerTemp), [], 'no undo file, no isolated config');
  assert.equal(existsSync(path.join(workdir.home, '.docker')), false);
  assert.equal(main.outputs.registry, undefined, 'no outputs from a failed login');
  const post = await runPost(main);
  assert.equal(post.code, 0, describeStep(post));
  assertNoLeaks([main, post], api);
  return message;
}

// The two request-timeout scenarios wait ~15 s each for the client to give up; they run beside the
// others (which take turns in the third slot), so the file takes about as long as one of them.
describe('faults from the ECR API', { concurrency: 3 }, () => {
  test('an answer slower than the request timeout is abandoned and retried', async (t) => {
    const { api, workdir } = await setup(t);
    hangFirst(t, api, 1);
    const { main, elapsedMs } = await login(api, workdir, 5);
    record('first answer never comes (15 s request timeout)', 5, main, api, elapsedMs);
    await assertLoggedIn(main, api);
    assert.equal(api.callsOf('GetAuthorizationToken').length, 2);
    assert.ok(elapsedMs >= REQUEST_TIMEOUT_MS, `waited for the timeout (${elapsedMs} ms)`);
    assert.ok(elapsedMs < REQUEST_TIMEOUT_MS + 10_000, `bounded (${elapsedMs} ms)`);
  });

  test('answers that never come fail after the request timeout, attempts counted', async (t) => {
    const { api, workdir } = await setup(t);
    hangFirst(t, api, 10);
    const { main, elapsedMs } = await login(api, workdir, 1);
    record('no answer at all', 1, main, api, elapsedMs);
    await assertFailedCleanly(
      main,
      api,
      workdir,
      /^Could not reach the AWS API for ecr:GetAuthorizationToken in eu-west-1 after 1 of 1 attempts \(TimeoutError: .*requestTimeout.*\)/,
    );
    assert.equal(api.callsOf('GetAuthorizationToken').length, 1);
    assert.ok(elapsedMs < REQUEST_TIMEOUT_MS + 10_000, `bounded (${elapsedMs} ms)`);
  });

  const transient = [
    { scenario: 'throttled twice', faults: { throttle: 2 }, calls: 3 },
    { scenario: 'HTTP 500, then 503', faults: { serverError: 1, unavailable: 1 }, calls: 3 },
    { scenario: 'connection reset once', faults: { reset: 1 }, calls: 2 },
    {
      scenario: 'reset, 500, 503, throttled (4 faults, 5 attempts)',
      faults: { reset: 1, serverError: 1, unavailable: 1, throttle: 1 },
      calls: 5,
    },
    { scenario: 'slow answer (2 s, under the timeout)', faults: { delayMs: 2000 }, calls: 1 },
  ];
  for (const { scenario, faults, calls } of transient) {
    test(`survives: ${scenario}`, async (t) => {
      const { api, workdir } = await setup(t, { faults });
      const { main, elapsedMs } = await login(api, workdir, 5);
      record(scenario, 5, main, api, elapsedMs);
      await assertLoggedIn(main, api);
      assert.equal(api.callsOf('GetAuthorizationToken').length, calls);
      assert.ok(elapsedMs < 15_000, `bounded (${elapsedMs} ms)`);
    });
  }

  const outlasting = [
    {
      scenario: 'throttled on every call',
      faults: { throttle: 100 },
      maxAttempts: 3,
      message:
        /^AWS throttled ecr:GetAuthorizationToken in eu-west-1 after 3 of 3 attempts \(Rate exceeded\): raise 'max-attempts'/,
    },
    {
      scenario: 'HTTP 500 on every call',
      faults: { serverError: 100 },
      maxAttempts: 3,
      message:
        /^ecr:GetAuthorizationToken in eu-west-1 failed after 3 of 3 attempts: ServerException \(HTTP 500\)/,
    },
    {
      scenario: 'HTTP 503 on every call',
      faults: { unavailable: 100 },
      maxAttempts: 2,
      message:
        /^ecr:GetAuthorizationToken in eu-west-1 failed after 2 of 2 attempts: ServiceUnavailableException \(HTTP 503\)/,
    },
    {
      scenario: 'connection reset on every call',
      faults: { reset: 100 },
      maxAttempts: 2,
      message:
        /^Could not reach the AWS API for ecr:GetAuthorizationToken in eu-west-1 after 2 of 2 attempts \(/,
    },
  ];
  for (const { scenario, faults, maxAttempts, message } of outlasting) {
    test(`fails after max-attempts: ${scenario}`, async (t) => {
      const { api, workdir } = await setup(t, { faults });
      const { main, elapsedMs } = await login(api, workdir, maxAttempts);
      record(scenario, maxAttempts, main, api, elapsedMs);
      await assertFailedCleanly(main, api, workdir, message);
      assert.equal(api.callsOf('GetAuthorizationToken').length, maxAttempts, 'one call per attempt');
      assert.ok(elapsedMs < 15_000, `bounded (${elapsedMs} ms)`);
    });
  }

  test('expired security token: not retried, says to refresh the credentials', async (t) => {
    const { api, workdir } = await setup(t, { faults: { expiredToken: 100 } });
    const { main, elapsedMs } = await login(api, workdir, 5);
    record('expired security token', 5, main, api, elapsedMs);
    const message = await assertFailedCleanly(main, api, workdir, /^The AWS security token has expired/);
    assert.match(message, /refresh the credentials/);
    assert.match(message, /role-duration-seconds/);
    assert.equal(api.callsOf('GetAuthorizationToken').length, 1, 'an expired token is not retried');
  });

  test('unrecognized credentials: not retried, says which credentials to check', async (t) => {
    const { api, workdir } = await setup(t, { faults: { unrecognizedClient: 100 } });
    const { main, elapsedMs } = await login(api, workdir, 5);
    record('credentials not recognized', 5, main, api, elapsedMs);
    await assertFailedCleanly(
      main,
      api,
      workdir,
      /^AWS rejected the credentials for ecr:GetAuthorizationToken/,
    );
    assert.equal(api.callsOf('GetAuthorizationToken').length, 1);
  });

  test('access denied: names ecr:GetAuthorizationToken and gives a JSON policy', async (t) => {
    const { api, workdir } = await setup(t, { faults: { accessDenied: ['GetAuthorizationToken'] } });
    const { main, elapsedMs } = await login(api, workdir, 5);
    record('access denied', 5, main, api, elapsedMs);
    const message = await assertFailedCleanly(main, api, workdir, /^Access denied: /);
    assert.match(message, /ecr:GetAuthorizationToken/);
    assert.equal(api.callsOf('GetAuthorizationToken').length, 1, 'access denied is not retried');
    const policyText = message.slice(message.indexOf('{', message.indexOf('policy')));
    let policy;
    assert.doesNotThrow(() => {
      policy = JSON.parse(policyText);
    }, `the message ends in a JSON policy: ${policyText}`);
    assert.equal(policy.Version, '2012-10-17');
    const actions = policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
    assert.ok(actions.includes('ecr:GetAuthorizationToken'), `policy allows the call: ${policyText}`);
  });
});
