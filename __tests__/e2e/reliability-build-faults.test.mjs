// Fault injection through the build-and-push flow (issue #6, extended to build and push): dist/index.js
// with `build: true` against the ECR stand-in (throttling, 5xx, resets on the calls the push flow makes),
// a real registry that refuses the login or is gone, a Dockerfile that cannot build and a runner without
// docker. Transient faults within `max-attempts` are survived in bounded time; the rest fail in one line
// that names what failed and what to do, push nothing, and still log out in the post step.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BUILDER, named, startBuilder } from './support/builders.mjs';
import { authToken, defaultHandlers, start as startEcrApi } from './support/ecr-api.mjs';
import { createDockerShim, pathWithout } from './support/docker-shim.mjs';
import { removeImages } from './support/docker.mjs';
import { formatTable, listFiles, round } from './support/reliability.mjs';
import { deadRegistryHost, startDroppingRegistry } from './support/registry-faults.mjs';
import { listTags, startRegistry, tagDigests } from './support/registry.mjs';
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
/** A fixed `created`, so a rebuild of the same context is the same image (the immutable re-runs). */
const CREATED = '2024-05-01T12:00:00Z';
/** What a transient fault may cost a green step, and a clean failure may take. */
const API_FAULT_BOUND_MS = 30_000;
/** docker push pauses 5, 10, 15 and 20 s between its attempts at a layer: about 50 s in all. */
const DOCKER_RETRY_BOUND_MS = 90_000;

let registry;
let dockerd;
let builderInputs = {};
/** A build call: `docker build` (classic) or `docker buildx build`. */
const isBuild = (argv) => argv[0] === 'build' || (argv[0] === 'buildx' && argv[1] === 'build');
/** What uploads to the registry: a `docker push`, or a `buildx build --push`. */
const isPush = (argv) => argv[0] === 'push' || (isBuild(argv) && argv.includes('--push'));
const figures = [];

before(async () => {
  dockerd = await startBuilder();
  builderInputs = dockerd.inputs;
  if (dockerd.available) registry = await startRegistry();
});

after(async () => {
  await registry?.close();
  await dockerd?.stop();
  const rows = figures.map((f) => [f.scenario, f.maxAttempts, f.outcome, f.calls, f.pushes, f.elapsedMs]);
  console.log(
    `\n${formatTable(
      'Faults in the build and push flow (calls = requests of the faulted operation; pushes = docker push runs)',
      ['scenario', 'max-attempts', 'outcome', 'calls', 'pushes', 'elapsed ms'],
      rows,
    )}\n`,
  );
});

const uniqueRepo = (name) => `faults/${name}-${randomBytes(3).toString('hex')}`;

/**
 * A FROM-scratch context like examples/app; `broken` COPYs a file that is not there. The first step is an
 * ARG only this context has: tests run side by side and remove their images, and the classic builder must
 * never take a cached step another test is deleting as its parent.
 */
async function writeContext(dir, { broken = false, nonce }) {
  const copy = broken ? 'COPY missing.txt /missing.txt' : 'COPY hello.txt /hello.txt';
  const oci =
    'OCI_CREATED OCI_REVISION OCI_SOURCE OCI_URL OCI_VERSION OCI_TITLE OCI_DESCRIPTION OCI_LICENSES OCI_REF_NAME';
  await writeFile(
    path.join(dir, 'Dockerfile'),
    `FROM scratch\nARG E2E_NONCE_${nonce}\nARG ${oci}\n${copy}\n`,
  );
  await writeFile(path.join(dir, 'hello.txt'), `hello ${nonce}\n`);
}

/**
 * A stand-in whose account's registry is `host` (default: the real one) with the registry's password, a
 * docker shim, a repository name, and `job()` for a fresh job directory holding the build context.
 */
async function setup(t, { host = registry.host, faults, context = {} } = {}) {
  const api = await startEcrApi({
    accounts: [
      { accountId: ACCOUNT, region: REGION, proxyEndpoint: `http://${host}`, password: registry.password },
    ],
    ...(faults ? { faults } : {}),
  });
  const shim = await createDockerShim();
  const workdirs = [];
  t.after(async () => {
    const tagged = shim
      .calls()
      .filter((call) => isBuild(call.argv))
      .flatMap((call) => call.argv.filter((arg) => arg.startsWith('--tag=')).map((arg) => arg.slice(6)));
    await removeImages(...new Set(tagged));
    await api.close();
    await shim.remove();
    for (const workdir of workdirs) await workdir.remove();
  });
  // One context per test: a re-run builds the very same image (from the cache).
  const nonce = randomBytes(8).toString('hex');
  return {
    api,
    shim,
    host,
    repository: uniqueRepo('app'),
    async job() {
      const workdir = await createWorkdir();
      workdirs.push(workdir);
      await writeContext(workdir.workspace, { ...context, nonce });
      return workdir;
    },
  };
}

/** One main step with build: true; `pushes` counts the docker push runs it made. */
async function runBuild(ctx, { inputs = {}, env = {}, maxAttempts = 5, timeoutMs } = {}) {
  const workdir = await ctx.job();
  const before = ctx.shim.calls().length;
  const started = performance.now();
  const main = await runAction({
    workdir,
    api: ctx.api,
    env: { ...ctx.shim.env(), ...env },
    timeoutMs,
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      'docker-config': 'isolated',
      repository: ctx.repository,
      'create-repository': 'true',
      build: 'true',
      ...builderInputs,
      created: CREATED,
      'max-attempts': String(maxAttempts),
      ...inputs,
    },
  });
  const calls = ctx.shim.calls().slice(before);
  return {
    main,
    workdir,
    elapsedMs: round(performance.now() - started),
    builds: calls.filter((call) => isBuild(call.argv)),
    pushes: calls.filter((call) => isPush(call.argv)),
  };
}

function record(scenario, { maxAttempts = 5, operation }, run, api) {
  figures.push({
    scenario,
    maxAttempts,
    outcome: run.main.code === 0 ? 'green' : `exit ${run.main.code}`,
    calls: operation ? api.callsOf(operation).length : '-',
    pushes: run.pushes.length,
    elapsedMs: run.elapsedMs,
  });
}

function secretsOf(api) {
  return [
    registry.password,
    authToken(registry.password),
    ...api.issuedSecrets(),
    FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  ];
}

/** Green, with every planned reference pushed and nothing secret in the log. */
function assertGreen(run, api) {
  assert.equal(run.main.code, 0, describeStep(run.main));
  assert.deepEqual(run.main.errors, []);
  assert.deepEqual(findLeaks([run.main], secretsOf(api)), [], 'a secret reached the log or a runner file');
}

/**
 * Exit 1 with exactly one `::error::` line matching `pattern`; the post step then succeeds and removes the
 * isolated docker config the main step wrote (when it got as far as the login). Returns the message.
 */
async function assertFailedCleanly(run, api, pattern) {
  const { main } = run;
  assert.equal(main.code, 1, describeStep(main));
  assert.equal(main.errors.length, 1, `exactly one error annotation:\n${describeStep(main)}`);
  const [message] = main.errors;
  assert.ok(!/[\r\n]/.test(message), `one line: ${JSON.stringify(message)}`);
  assert.match(message, pattern);
  const configDir = main.exportedEnv.DOCKER_CONFIG;
  if (configDir) assert.ok(existsSync(configDir), `the login wrote ${configDir}`);
  const post = await runPost(main);
  assert.equal(post.code, 0, describeStep(post));
  if (configDir) assert.equal(existsSync(configDir), false, `post removed the isolated config ${configDir}`);
  assert.deepEqual(await listFiles(run.workdir.runnerTemp), [], 'post left nothing under RUNNER_TEMP');
  assert.deepEqual(findLeaks([main, post], secretsOf(api)), [], 'a secret reached the log or a runner file');
  return message;
}

/** A first, clean run into an IMMUTABLE repository: the re-run's plan must check its tag after the build. */
async function pushImmutableOnce(ctx) {
  const first = await runBuild(ctx, { inputs: { 'tag-mutability': 'IMMUTABLE' } });
  assertGreen(first, ctx.api);
  assert.deepEqual(
    await listTags(registry, ctx.repository),
    ['sha-0123456'],
    'the first run pushed sha-0123456',
  );
  ctx.api.calls.length = 0;
  return tagDigests(registry, ctx.repository);
}

describe(named('ECR API faults while building and pushing'), { concurrency: 3, timeout: 120_000 }, () => {
  const transient = [
    {
      scenario: 'DescribeRepositories throttled twice',
      operation: 'DescribeRepositories',
      faults: { throttle: 2 },
    },
    { scenario: 'DescribeImages throttled twice', operation: 'DescribeImages', faults: { throttle: 2 } },
    {
      scenario: 'DescribeImages: HTTP 500, 503, connection reset',
      operation: 'DescribeImages',
      faults: { serverError: 1, unavailable: 1, reset: 1 },
    },
  ];
  for (const { scenario, operation, faults } of transient) {
    test(`survives: ${scenario}`, async (t) => {
      if (!dockerd.available) return t.skip(dockerd.reason);
      const ctx = await setup(t, { faults: { ...faults, operations: [operation] } });
      const run = await runBuild(ctx);
      record(scenario, { operation }, run, ctx.api);
      assertGreen(run, ctx.api);
      const faultCount = Object.values(faults).reduce((sum, n) => sum + n, 0);
      assert.equal(ctx.api.callsOf(operation).length, faultCount + 1, `${operation}: one call per attempt`);
      assert.deepEqual((await listTags(registry, ctx.repository)).sort(), ['main', 'sha-0123456']);
      assert.equal(run.main.outputs.pushed, 'true');
      assert.ok(run.elapsedMs < API_FAULT_BOUND_MS, `bounded (${run.elapsedMs} ms)`);
    });
  }

  test('survives: BatchGetImage throttled twice (immutable re-run)', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const ctx = await setup(t);
    const before = await pushImmutableOnce(ctx);
    ctx.api.setFaults({ throttle: 2, operations: ['BatchGetImage'] });
    const run = await runBuild(ctx, { inputs: { 'tag-mutability': 'IMMUTABLE' } });
    record('BatchGetImage throttled twice (immutable re-run)', { operation: 'BatchGetImage' }, run, ctx.api);
    assertGreen(run, ctx.api);
    // BuildKit names the manifest digest it built: a tag that holds it needs no BatchGetImage at all.
    const expected = BUILDER === 'buildx' ? 0 : 3;
    assert.equal(ctx.api.callsOf('BatchGetImage').length, expected, 'BatchGetImage: one call per attempt');
    assert.equal(run.builds.length, 1, 'the image was rebuilt');
    assert.deepEqual(run.pushes, [], 'the tag already holds this image: nothing to push');
    assert.equal(run.main.outputs.pushed, 'false');
    assert.deepEqual(await tagDigests(registry, ctx.repository), before, 'the registry is unchanged');
    assert.ok(run.elapsedMs < API_FAULT_BOUND_MS, `bounded (${run.elapsedMs} ms)`);
  });

  const outlasting = [
    {
      scenario: 'DescribeRepositories throttled on every call',
      operation: 'DescribeRepositories',
      faults: { throttle: 100 },
      maxAttempts: 3,
      message:
        /^AWS throttled ecr:DescribeRepositories in eu-west-1 \(repository faults\/app-[0-9a-f]+ of registry 111111111111\) after 3 of 3 attempts \(Rate exceeded\): raise 'max-attempts'/,
      built: false,
    },
    {
      scenario: 'DescribeImages HTTP 500 on every call',
      operation: 'DescribeImages',
      faults: { serverError: 100 },
      maxAttempts: 2,
      message:
        /^ecr:DescribeImages in eu-west-1 .*failed after 2 of 2 attempts: ServerException \(HTTP 500\)/,
      built: false,
    },
  ];
  for (const { scenario, operation, faults, maxAttempts, message, built } of outlasting) {
    test(`fails after max-attempts, pushes nothing: ${scenario}`, async (t) => {
      if (!dockerd.available) return t.skip(dockerd.reason);
      const ctx = await setup(t, { faults: { ...faults, operations: [operation] } });
      const run = await runBuild(ctx, { maxAttempts });
      record(scenario, { maxAttempts, operation }, run, ctx.api);
      await assertFailedCleanly(run, ctx.api, message);
      assert.equal(ctx.api.callsOf(operation).length, maxAttempts, 'one call per attempt');
      assert.equal(run.builds.length > 0, built, built ? 'built before failing' : 'failed before the build');
      assert.deepEqual(run.pushes, [], 'no docker push');
      assert.deepEqual(await listTags(registry, ctx.repository), [], 'nothing reached the registry');
      assert.ok(run.elapsedMs < API_FAULT_BOUND_MS, `bounded (${run.elapsedMs} ms)`);
    });
  }

  test('fails after max-attempts, pushes nothing: BatchGetImage throttled on every call (immutable re-run)', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const ctx = await setup(t);
    const before = await pushImmutableOnce(ctx);
    ctx.api.setFaults({ throttle: 100, operations: ['BatchGetImage'] });
    const run = await runBuild(ctx, { maxAttempts: 3, inputs: { 'tag-mutability': 'IMMUTABLE' } });
    record(
      'BatchGetImage throttled on every call (immutable re-run)',
      { maxAttempts: 3, operation: 'BatchGetImage' },
      run,
      ctx.api,
    );
    if (BUILDER === 'buildx') {
      // BuildKit names the manifest digest it built, and the tag holds it: settled without BatchGetImage,
      // so the throttling never matters.
      assertGreen(run, ctx.api);
      assert.equal(ctx.api.callsOf('BatchGetImage').length, 0, 'no BatchGetImage call');
      assert.equal(run.main.outputs.pushed, 'false');
      assert.deepEqual(await tagDigests(registry, ctx.repository), before, 'the registry is unchanged');
      return;
    }
    await assertFailedCleanly(
      run,
      ctx.api,
      /^AWS throttled ecr:BatchGetImage in eu-west-1 \(repository faults\/app-[0-9a-f]+ of registry 111111111111\) after 3 of 3 attempts \(Rate exceeded\)/,
    );
    assert.equal(ctx.api.callsOf('BatchGetImage').length, 3, 'one call per attempt');
    assert.equal(run.builds.length, 1, 'the image was built, then checked');
    assert.deepEqual(run.pushes, [], 'no docker push');
    assert.deepEqual(await tagDigests(registry, ctx.repository), before, 'the registry is unchanged');
    assert.ok(run.elapsedMs < API_FAULT_BOUND_MS, `bounded (${run.elapsedMs} ms)`);
  });
});

describe(named('registry, build and docker faults'), { concurrency: 3, timeout: 150_000 }, () => {
  test('the registry refuses the password the login got: docker push fails, names the fix', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const ctx = await setup(t);
    const wrong = randomBytes(24).toString('base64url');
    ctx.api.setHandler('ecr', 'GetAuthorizationToken', (call) => {
      const answer = defaultHandlers.ecr.GetAuthorizationToken(call);
      call.state.issue(wrong);
      for (const data of answer.authorizationData) data.authorizationToken = authToken(wrong);
      return answer;
    });
    const run = await runBuild(ctx);
    record('registry refuses the login (wrong password)', {}, run, ctx.api);
    const reference = `${ctx.host}/${ctx.repository}:sha-0123456`;
    const message = await assertFailedCleanly(
      run,
      ctx.api,
      BUILDER === 'buildx'
        ? /^docker push \S+ failed: .*401 Unauthorized\. docker has no valid login for /
        : /^docker push \S+ failed: unauthorized: authentication required\. docker has no valid login for /,
    );
    assert.doesNotMatch(message, /BatchGetImage/, 'a refused push is not a refused FROM pull');
    assert.ok(message.startsWith(`docker push ${reference} failed`), `names the reference: ${message}`);
    assert.ok(message.includes(`no valid login for ${ctx.host}`), 'names the registry');
    assert.equal(run.builds.length, 1);
    if (BUILDER === 'docker') {
      assert.deepEqual(
        run.pushes.map((call) => call.argv),
        [['push', reference]],
        'stops at the first refused push',
      );
    } else {
      assert.equal(run.pushes.length, 1, 'one buildx build --push, which failed');
    }
    assert.deepEqual(await listTags(registry, ctx.repository), [], 'nothing reached the registry');
    assert.ok(run.elapsedMs < API_FAULT_BOUND_MS, `bounded (${run.elapsedMs} ms)`);
  });

  test('the registry is gone after the login (nothing listens): docker push fails at once', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const ctx = await setup(t, { host: await deadRegistryHost() });
    // The stand-in reads a repository's images from its registry; with none there, it answers none.
    ctx.api.setHandler('ecr', 'DescribeImages', () => ({ imageDetails: [] }));
    const run = await runBuild(ctx);
    record('registry gone (connection refused)', {}, run, ctx.api);
    const reference = `${ctx.host}/${ctx.repository}:sha-0123456`;
    const message = await assertFailedCleanly(run, ctx.api, /^docker push \S+ failed: /);
    assert.ok(message.startsWith(`docker push ${reference} failed: `), `names the reference: ${message}`);
    assert.match(run.main.stdout, /connect: connection refused/, 'docker said why');
    assert.equal(run.pushes.length, 1, 'stops at the first failed push');
    assert.ok(run.elapsedMs < API_FAULT_BOUND_MS, `bounded (${run.elapsedMs} ms)`);
    // docker's own reason (its stderr), not the "The push refers to repository" banner of its stdout.
    assert.match(
      message,
      BUILDER === 'buildx'
        ? /failed: failed to do request: Head "[^"]+": dial tcp [^ ]+: connect: connection refused\. the registry .* could not be reached/
        : /failed: Get "http:\/\/[^"]+\/v2\/": dial tcp [^ ]+: connect: connection refused\./,
    );
    assert.doesNotMatch(message, /BatchGetImage/);
    assert.doesNotMatch(message, /The push refers to repository/);
  });

  test('the registry drops every upload after the ping: docker retries, then fails within its bound', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const dropping = await startDroppingRegistry();
    t.after(() => dropping.close());
    const ctx = await setup(t, { host: dropping.host });
    ctx.api.setHandler('ecr', 'DescribeImages', () => ({ imageDetails: [] }));
    const run = await runBuild(ctx, { timeoutMs: DOCKER_RETRY_BOUND_MS + 20_000 });
    record('registry drops every upload (docker retries)', {}, run, ctx.api);
    assert.equal(run.main.timedOut, false, 'the step ended on its own');
    const reference = `${ctx.host}/${ctx.repository}:sha-0123456`;
    const message = await assertFailedCleanly(run, ctx.api, /^docker push \S+ failed: /);
    assert.ok(message.startsWith(`docker push ${reference} failed: `), `names the reference: ${message}`);
    assert.equal(run.pushes.length, 1, 'stops at the first failed push');
    const uploads = dropping.requests.filter((r) => r.method === 'POST');
    // docker push retries each layer; BuildKit gives up on the first dropped request.
    if (BUILDER === 'docker') {
      assert.ok(uploads.length >= 2, `docker retried the upload (${uploads.length} attempts)`);
    }
    assert.doesNotMatch(message, /BatchGetImage/);
    assert.ok(run.elapsedMs < DOCKER_RETRY_BOUND_MS, `bounded (${run.elapsedMs} ms)`);
    // docker's own reason (its stderr), not one of its progress lines.
    assert.doesNotMatch(message, /Retrying in|The push refers to repository|Preparing/);
    assert.match(message, /failed: (.*\bEOF\b|.*connection reset|.*broken pipe)/i);
  });

  test('a Dockerfile that cannot build: docker build failed with the reason, nothing pushed', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const ctx = await setup(t, { context: { broken: true } });
    const run = await runBuild(ctx);
    record('COPY of a missing file', {}, run, ctx.api);
    assert.ok(run.main.exportedEnv.DOCKER_CONFIG, 'logged in before the build (post must log out)');
    await assertFailedCleanly(
      run,
      ctx.api,
      BUILDER === 'buildx'
        ? /^docker buildx build failed \(exit 1\): .*missing\.txt.*not found\. The build log is above\.$/
        : /^docker build failed \(exit 1\): COPY failed: .*missing\.txt.*\. The build log is above\.$/,
    );
    assert.equal(run.builds.length, 1);
    // Under buildx the one build is also the push command; it failed before uploading anything.
    assert.deepEqual(
      run.pushes.filter((call) => call.argv[0] === 'push'),
      [],
      'no docker push',
    );
    assert.deepEqual(await listTags(registry, ctx.repository), [], 'nothing reached the registry');
    // The repository is created before the build (the plan needs it); the failed build leaves it empty.
    assert.equal(
      ctx.api.callsOf('CreateRepository').length,
      1,
      'the repository was created before the build',
    );
    assert.ok(ctx.api.repository(ACCOUNT, REGION, ctx.repository), 'and is left in place, empty');
    assert.equal(run.main.outputs['repository-created'], 'true');
    assert.equal(run.main.outputs.pushed, undefined, 'no build outputs');
    assert.ok(run.elapsedMs < API_FAULT_BOUND_MS, `bounded (${run.elapsedMs} ms)`);
  });

  test('no docker CLI on PATH: says to install Docker, before any AWS call', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const ctx = await setup(t);
    const run = await runBuild(ctx, { env: { PATH: await pathWithout('docker') } });
    record('no docker on PATH', {}, run, ctx.api);
    const message = await assertFailedCleanly(run, ctx.api, /^The docker CLI could not be run \(/);
    assert.match(message, /install Docker on the runner/);
    assert.deepEqual(ctx.api.calls, [], 'no AWS call');
    assert.equal(run.main.exportedEnv.DOCKER_CONFIG, undefined, 'no login was written');
    assert.deepEqual(ctx.shim.calls(), [], 'the shim was off PATH too');
    assert.ok(run.elapsedMs < 10_000, `bounded (${run.elapsedMs} ms)`);
  });
});
