// Build and push end to end: dist/index.js (main, then post) under Node 24 against the ECR stand-in, a
// real registry behind each proxyEndpoint and the real Docker daemon. What a user would notice is read
// back from the registry: tags, digests, labels and layers, never the action's own word for it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test as nodeTest } from 'node:test';
import { authToken, start as startEcrApi } from './support/ecr-api.mjs';
import { buildScratchImage, docker, localImageId, pushWithLogin, removeImages } from './support/docker.mjs';
import {
  getLabels,
  getManifest,
  listTags,
  startDockerAndRegistry,
  startRegistry,
  tagDigests,
} from './support/registry.mjs';
import {
  ACTION_DIR,
  FAKE_CREDENTIALS,
  createWorkdir,
  describeStep,
  findLeaks,
  runAction,
  runPost,
} from './support/runner.mjs';
import { BUILDER, named } from './support/builders.mjs';
import { createDockerShim } from './support/docker-shim.mjs';

/** Each test's name says which builder ran it (this file also runs as build.buildx.test.mjs). */
const test = (name, ...rest) => nodeTest(named(name), ...rest);

const ACCOUNT = '111111111111';
const SECOND_ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
/** The runner's push context: refs/heads/main at this commit, so the default tags are sha-0123456 and main. */
const SHA = '0123456789abcdef0123456789abcdef01234567';
const SHA_TAG = 'sha-0123456';
/** The time of that commit in the push payload: the `created` label, the same on every rebuild. */
const COMMIT_TIME = '2024-05-01T14:00:00+02:00';
const CREATED = '2024-05-01T12:00:00.000Z';
const APP_CONTEXT = path.join(ACTION_DIR, 'examples', 'app');
const BASE_INPUTS = {
  registries: ACCOUNT,
  region: REGION,
  build: 'true',
  'create-repository': 'true',
  'docker-config': 'isolated',
};
const TEST_TIMEOUT_MS = 300_000;

let registry;
/** Why the suite cannot run here (only ever set outside CI: under CI=true a missing piece is an error). */
let unavailable = null;
/** Every step of the file and every secret it could hold, for the final scan. */
const scanned = { results: [], secrets: new Set([FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY]) };

let stopDocker;
/** `builder: docker` or `builder: buildx`: the builder this half of the suite runs under. */
let builderInputs = {};
before(async () => {
  ({ registry, unavailable, builderInputs, stop: stopDocker } = await startDockerAndRegistry());
});

after(async () => {
  await stopDocker?.();
});

function uniqueRepo(name) {
  return `e2e/${name}-${randomBytes(3).toString('hex')}`;
}

/** The stand-in's account for `reg`: its proxyEndpoint is the registry, its password the registry's. */
function accountFor(reg, accountId = ACCOUNT, region = REGION) {
  return { accountId, region, proxyEndpoint: `http://${reg.host}`, password: reg.password };
}

function remember(secrets) {
  for (const secret of secrets) scanned.secrets.add(secret);
}

/**
 * A stand-in for `accounts` and a job directory whose workspace holds examples/app (with a hello.txt of
 * its own, so no other test's image is in the build cache) and a push payload with the commit's time.
 * Null when the suite cannot run here (the test is then skipped).
 */
async function setup(t, { accounts } = {}) {
  if (unavailable) {
    t.skip(unavailable);
    return null;
  }
  const api = await startEcrApi({ accounts: accounts ?? [accountFor(registry)] });
  const workdir = await createWorkdir();
  t.after(async () => {
    await api.close();
    await workdir.remove();
  });
  await cp(APP_CONTEXT, workdir.workspace, { recursive: true });
  await writeFile(
    path.join(workdir.workspace, 'hello.txt'),
    `Hello from ${t.name} ${randomBytes(8).toString('hex')}\n`,
  );
  await writeEvent(workdir, {
    ref: 'refs/heads/main',
    after: SHA,
    head_commit: { id: SHA, timestamp: COMMIT_TIME },
  });
  for (const account of accounts ?? [accountFor(registry)]) {
    remember([account.password, authToken(account.password)]);
  }
  return { api, workdir };
}

function writeEvent(workdir, payload) {
  return writeFile(workdir.eventPath, `${JSON.stringify(payload)}\n`);
}

const lines = (text) => (text ?? '').split('\n').filter(Boolean);

/**
 * One job: the main step, then the post step as `post-if: always()` runs it. The local images the step
 * tagged are removed with the test (by reference: other jobs may share the daemon). Every step is scanned
 * for the passwords and tokens of the stand-in.
 */
async function runJob(t, { api, workdir }, { inputs, env = {} }) {
  const first = api.calls.length;
  const main = await runAction({
    workdir,
    api,
    env,
    inputs: { ...BASE_INPUTS, ...builderInputs, ...inputs },
  });
  const mainCalls = api.calls.slice(first);
  const references = [...new Set([...lines(main.outputs.images), ...lines(main.outputs.tags)])];
  t.after(() => removeImages(...references));
  const post = await runPost(main);
  assert.equal(post.code, 0, describeStep(post));
  remember(api.issuedSecrets());
  scanned.results.push(main, post);
  assert.deepEqual(
    findLeaks([main, post], [...scanned.secrets]),
    [],
    'a password, token or secret key reached the log or a runner file',
  );
  return { main, post, mainCalls };
}

function assertOk(result) {
  assert.equal(result.code, 0, describeStep(result));
  assert.deepEqual(result.errors, [], describeStep(result));
}

/** Exit code 1 with exactly one ::error:: line, which is returned. */
function assertFailedOnce(result) {
  assert.equal(result.code, 1, describeStep(result));
  const errorLines = result.stdout.split('\n').filter((line) => line.startsWith('::error'));
  assert.equal(errorLines.length, 1, `exactly one ::error:: line\n${describeStep(result)}`);
  assert.equal(result.errors.length, 1);
  return result.errors[0];
}

/** The `labels` output (`key=value` lines) as an object. */
function parseLabels(text) {
  return Object.fromEntries(
    lines(text).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The docker commands the step ran, as @actions/exec prints them. */
function dockerCommands(result, subcommand) {
  return result.visibleLog
    .split('\n')
    .filter((line) => new RegExp(`^\\[command\\]\\S*docker ${subcommand}( |$)`).test(line));
}

/** A summary table row of a tag: the result cell and the digest cell, or null when there is none. */
function summaryRow(summary, tag) {
  const match = new RegExp(
    // An empty cell is written as a bare <td>.
    `<tr><td><code>${tag.replaceAll('.', '\\.')}</code></td><td>([^<]*)</td>(?:<td><code>([^<]*)</code></td>|<td>)<`,
  ).exec(summary);
  return match && { result: match[1], digest: match[2] ?? '' };
}

/**
 * What a successful build-and-push left in `reg`: exactly `tags` in `repository`, each holding the
 * `digest` output, whose config is the local image the `image-id` output names.
 */
async function assertPushed(reg, repository, tags, main, { imageIdIs = 'config' } = {}) {
  const { digest } = main.outputs;
  assert.match(digest, /^sha256:[0-9a-f]{64}$/, 'the digest output');
  assert.deepEqual((await listTags(reg, repository)).sort(), [...tags].sort(), `tags in ${reg.host}`);
  for (const tag of tags) {
    const found = await getManifest(reg, repository, tag);
    assert.equal(found.digest, digest, `${reg.host}/${repository}:${tag} holds the digest output`);
    if (imageIdIs === 'config') {
      assert.equal(
        found.manifest.config.digest,
        main.outputs['image-id'],
        `${tag}: the pushed config is the local image the image-id output names`,
      );
    } else {
      assert.equal(found.digest, main.outputs['image-id'], `${tag}: the pushed manifest is the local image`);
    }
  }
}

test(
  'build and push: labels, digest, image ID and every reference, as the registry has them',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t);
    if (!job) return;
    const repository = uniqueRepo('labels');
    const { main } = await runJob(t, job, {
      inputs: {
        repository,
        labels: 'com.example.team=platform\norg.opencontainers.image.title=Demo app',
      },
    });
    assertOk(main);
    assert.equal(main.outputs.pushed, 'true');
    const tags = [SHA_TAG, 'main'];
    await assertPushed(registry, repository, tags, main);

    const references = tags.map((tag) => `${registry.host}/${repository}:${tag}`);
    assert.deepEqual(lines(main.outputs.images), references, 'images: every reference, primary first');
    assert.equal(main.outputs.image, references[0]);
    if (BUILDER === 'docker') {
      // The classic builder's local image ID is its config digest; the containerd store names a local
      // image by its manifest instead, so there the registry check above is the one that holds.
      assert.equal(
        await localImageId(main.outputs.image),
        main.outputs['image-id'],
        'image-id is the local ID',
      );
    }

    const labels = await getLabels(registry, repository, SHA_TAG);
    assert.deepEqual(labels, parseLabels(main.outputs.labels), 'the pushed labels are the labels output');
    assert.equal(labels['org.opencontainers.image.revision'], SHA);
    assert.equal(labels['org.opencontainers.image.created'], CREATED, "the commit's time, in UTC");
    assert.equal(labels['com.example.team'], 'platform', 'a label from the labels input is added');
    assert.equal(labels['org.opencontainers.image.title'], 'Demo app', 'and one overrides an OCI label');
    assert.deepEqual(await getLabels(registry, repository, 'main'), labels);

    for (const tag of tags) {
      assert.deepEqual(summaryRow(main.summary, tag), { result: 'pushed', digest: main.outputs.digest }, tag);
    }
    assert.match(main.visibleLog, /^Build: \d+(\.\d+)? m?s\.$/m, 'the build phase says how long it took');
    if (BUILDER === 'docker') {
      assert.match(main.visibleLog, /^Push: \d+(\.\d+)? m?s\.$/m, 'and so does the push phase');
    }
    if (BUILDER === 'docker') {
      assert.equal(dockerCommands(main, 'push').length, tags.length, 'one docker push per tag');
    } else {
      assert.equal(dockerCommands(main, 'push').length, 0, 'buildx pushes by itself');
      const builds = dockerCommands(main, 'buildx');
      assert.equal(builds.length, 1, 'one buildx build, which pushes every tag');
      assert.match(builds[0], / --push /);
    }
  },
);

test(
  'labels reach an image whose Dockerfile declares no OCI_* build arg',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t);
    if (!job) return;
    await writeFile(
      path.join(job.workdir.workspace, 'Dockerfile.plain'),
      'FROM scratch\nCOPY hello.txt /hello.txt\n',
    );
    const repository = uniqueRepo('plain');
    const { main } = await runJob(t, job, {
      inputs: { repository, file: 'Dockerfile.plain', labels: 'com.example.team=platform' },
    });
    assertOk(main);
    await assertPushed(registry, repository, [SHA_TAG, 'main'], main);
    const labels = await getLabels(registry, repository, SHA_TAG);
    assert.deepEqual(labels, parseLabels(main.outputs.labels));
    assert.equal(labels['org.opencontainers.image.revision'], SHA);
    assert.equal(labels['org.opencontainers.image.created'], CREATED);
    assert.equal(labels['com.example.team'], 'platform');
  },
);

test(
  'several tags: every one in the registry, all the same image',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t);
    if (!job) return;
    const repository = uniqueRepo('tags');
    const { main } = await runJob(t, job, {
      inputs: { repository, tags: 'type=sha\ntype=raw,value=v1.2.3\ntype=raw,value=stable' },
    });
    assertOk(main);
    const tags = [SHA_TAG, 'v1.2.3', 'stable'];
    assert.deepEqual(lines(main.outputs['tag-names']), tags);
    await assertPushed(registry, repository, tags, main);
    const digests = await tagDigests(registry, repository);
    assert.deepEqual(
      new Set(Object.values(digests)),
      new Set([main.outputs.digest]),
      JSON.stringify(digests),
    );
    assert.deepEqual(
      lines(main.outputs.images),
      tags.map((tag) => `${registry.host}/${repository}:${tag}`),
    );
    for (const tag of tags) {
      assert.deepEqual(summaryRow(main.summary, tag), { result: 'pushed', digest: main.outputs.digest }, tag);
    }
  },
);

test(
  'source-image: an image built earlier in the job is pushed as it is',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t);
    if (!job) return;
    const source = `e2e-source-${randomBytes(4).toString('hex')}:ci`;
    t.after(() => removeImages(source));
    const built = await buildScratchImage(source, { labels: { 'com.example.built-by': 'an earlier step' } });
    const repository = uniqueRepo('source');
    const { main } = await runJob(t, job, {
      inputs: { repository, build: 'false', 'source-image': source },
    });
    assertOk(main);
    assert.equal(main.outputs.pushed, 'true');
    assert.equal(main.outputs['image-id'], built.id, 'image-id is the source image');
    // The containerd store (the BuildKit engine) names a local image by its manifest digest.
    await assertPushed(registry, repository, [SHA_TAG, 'main'], main, {
      imageIdIs: BUILDER === 'buildx' ? 'manifest' : 'config',
    });
    assert.equal(dockerCommands(main, 'build').length, 0, 'nothing is built');
    const labels = await getLabels(registry, repository, SHA_TAG);
    assert.equal(labels['com.example.built-by'], 'an earlier step', 'the image is pushed unchanged');
  },
);

test(
  'source-image that docker does not have: exit 1 naming source-image, no AWS call',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t);
    if (!job) return;
    const missing = `e2e-missing-${randomBytes(4).toString('hex')}:ci`;
    const { main } = await runJob(t, job, {
      inputs: { repository: uniqueRepo('missing'), build: 'false', 'source-image': missing },
    });
    const message = assertFailedOnce(main);
    assert.match(message, /source-image/, message);
    assert.ok(message.includes(missing), `the error names the image: ${message}`);
    assert.deepEqual(
      job.api.calls.map((call) => call.operation),
      [],
      'no AWS call',
    );
    assert.equal(main.outputs.pushed, undefined);
  },
);

test(
  'pull_request event: built and kept locally, not pushed, no repository created',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t);
    if (!job) return;
    const headSha = 'fedcba9876543210fedcba9876543210fedcba98';
    await writeEvent(job.workdir, {
      action: 'synchronize',
      number: 7,
      pull_request: {
        number: 7,
        head: { sha: headSha, ref: 'feature/login' },
        base: { ref: 'main' },
      },
    });
    const repository = uniqueRepo('pr');
    const { main, mainCalls } = await runJob(t, job, {
      env: {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_REF_NAME: '7/merge',
        GITHUB_HEAD_REF: 'feature/login',
        GITHUB_BASE_REF: 'main',
        // GitHub's test merge commit: the image is known by the head commit instead.
        GITHUB_SHA: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      },
      inputs: { repository },
    });
    assertOk(main);
    assert.equal(main.outputs.pushed, 'false');
    assert.equal(main.outputs.digest, '');
    assert.deepEqual(await listTags(registry, repository), [], 'nothing reached the registry');
    const operations = mainCalls.map((call) => call.operation);
    assert.ok(!operations.includes('CreateRepository'), `no repository is created: ${operations.join(', ')}`);
    assert.equal(job.api.repository(ACCOUNT, REGION, repository), undefined);
    assert.equal(dockerCommands(main, 'push').length, 0, 'no docker push');
    assert.match(main.visibleLog, /not pushed: a pull_request event/i, 'the log says why');

    assert.ok(main.outputs.image, 'the image output names the local image');
    const localId = await localImageId(main.outputs.image);
    assert.ok(localId, 'the image is there');
    // BuildKit's --iidfile is the config digest; the containerd store's local ID is the manifest's.
    if (BUILDER === 'docker') assert.equal(localId, main.outputs['image-id']);
    const inspected = await docker([
      'image',
      'inspect',
      '--format',
      '{{json .Config.Labels}}',
      main.outputs.image,
    ]);
    assert.equal(inspected.code, 0, inspected.stderr);
    const labels = JSON.parse(inspected.stdout);
    assert.equal(labels['org.opencontainers.image.revision'], headSha, 'the commit pushed, not the merge');
    assert.deepEqual(labels, parseLabels(main.outputs.labels));
  },
);

test(
  'immutable repository re-run: the commit tag already holds the image, nothing is pushed again',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t);
    if (!job) return;
    const repository = uniqueRepo('immutable');
    const inputs = { repository, 'tag-mutability': 'IMMUTABLE', tags: 'type=sha\ntype=branch' };

    const first = await runJob(t, job, { inputs });
    assertOk(first.main);
    assert.equal(first.main.outputs.pushed, 'true');
    // `main` would move with every build: an immutable repository never gets it, even the first time.
    await assertPushed(registry, repository, [SHA_TAG], first.main);
    const before = await tagDigests(registry, repository);
    assert.deepEqual(before, { [SHA_TAG]: first.main.outputs.digest });

    const again = await runJob(t, job, { inputs });
    assertOk(again.main);
    assert.equal(again.main.outputs.pushed, 'false');
    assert.equal(
      again.main.outputs['image-id'],
      first.main.outputs['image-id'],
      'the rebuild is the same image',
    );
    assert.deepEqual(
      summaryRow(again.main.summary, SHA_TAG),
      { result: 'unchanged: already holds this image', digest: first.main.outputs.digest },
      'the summary says the commit tag already holds this image',
    );
    const skipped = summaryRow(again.main.summary, 'main');
    assert.ok(skipped, `the summary has a row for main:\n${again.main.summary}`);
    assert.match(skipped.result, /^skipped: .*immutable/i);
    assert.ok(
      again.main.warnings.some((warning) => /skipped main\b.*immutable/i.test(warning)),
      `a warning says why main is left out:\n${again.main.warnings.join('\n')}`,
    );
    assert.match(
      again.main.visibleLog,
      /Nothing was pushed: every tag already holds this image or was skipped/,
    );
    assert.deepEqual(dockerCommands(again.main, 'push'), [], 'no docker push the second time');
    assert.deepEqual(await tagDigests(registry, repository), before, 'the registry is unchanged');
  },
);

test(
  'FROM a private base image in the registry: pulled with the login, its layer shared',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t);
    if (!job) return;
    const baseRepository = uniqueRepo('base');
    const base = `${registry.host}/${baseRepository}:1`;
    t.after(() => removeImages(base));
    await buildScratchImage(base);
    await pushWithLogin(base, registry);
    // The daemon must pull it during the build, with the credentials the action wrote.
    await removeImages(base);
    assert.equal(await localImageId(base), null, 'the base image is not cached locally');
    const baseManifest = (await getManifest(registry, baseRepository, '1')).manifest;

    await writeFile(
      path.join(job.workdir.workspace, 'Dockerfile'),
      `FROM ${base}\nCOPY hello.txt /app/hello.txt\n`,
    );
    const repository = uniqueRepo('derived');
    const { main } = await runJob(t, job, { inputs: { repository } });
    assertOk(main);
    assert.equal(main.outputs.pushed, 'true');
    await assertPushed(registry, repository, [SHA_TAG, 'main'], main);
    const layers = (await getManifest(registry, repository, SHA_TAG)).manifest.layers.map((l) => l.digest);
    assert.equal(layers.length, baseManifest.layers.length + 1, 'the base layers plus the COPY');
    assert.deepEqual(
      layers.slice(0, baseManifest.layers.length),
      baseManifest.layers.map((l) => l.digest),
      "the base image's layers come first",
    );
  },
);

test(
  'two registries: the same tags and digest in each, the repository created once in each',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const second = await startRegistry();
    t.after(() => second.close());
    // Account IDs, not hostnames: a hostname is pushed to as written, and *.amazonaws.com does not resolve
    // to the local registries. Both accounts are in one region for the same reason (`region` is one input).
    const job = await setup(t, {
      accounts: [accountFor(registry, ACCOUNT), accountFor(second, SECOND_ACCOUNT)],
    });
    const repository = uniqueRepo('two');
    const { main, mainCalls } = await runJob(t, job, {
      inputs: { repository, registries: `${ACCOUNT},${SECOND_ACCOUNT}` },
    });
    assertOk(main);
    assert.equal(main.outputs.pushed, 'true');
    assert.deepEqual(JSON.parse(main.outputs.registries), [registry.host, second.host]);
    const tags = [SHA_TAG, 'main'];
    for (const reg of [registry, second]) await assertPushed(reg, repository, tags, main);
    assert.deepEqual(
      new Set(lines(main.outputs.images)),
      new Set([registry, second].flatMap((reg) => tags.map((tag) => `${reg.host}/${repository}:${tag}`))),
      'images: every tag in every registry',
    );
    const creates = mainCalls.filter((call) => call.operation === 'CreateRepository');
    assert.deepEqual(
      creates.map((call) => [call.body.registryId, call.body.repositoryName, call.status]).sort(),
      [
        [ACCOUNT, repository, 200],
        [SECOND_ACCOUNT, repository, 200],
      ],
      'one CreateRepository per registry',
    );
  },
);

test(
  'skip-existing: a re-run on a fresh runner builds nothing, adds the missing tags, copies to a registry that lacks the image',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const repository = uniqueRepo('skip');
    const first = await runJob(t, await setup(t), {
      inputs: { repository, tags: 'type=sha\ntype=raw,value=first' },
    });
    assertOk(first.main);
    const digest = first.main.outputs.digest;
    await removeImages(...lines(first.main.outputs.images));

    // A re-run: another runner (its own workspace and docker config), and a second registry that has
    // never seen the image.
    const second = await startRegistry();
    t.after(() => second.close());
    const job = await setup(t, {
      accounts: [accountFor(registry, ACCOUNT), accountFor(second, SECOND_ACCOUNT)],
    });
    const again = await runJob(t, job, {
      inputs: {
        repository,
        registries: `${ACCOUNT},${SECOND_ACCOUNT}`,
        tags: 'type=sha\ntype=raw,value=again',
        'skip-existing': 'true',
      },
    });
    assertOk(again.main);
    assert.doesNotMatch(again.main.stdout, /\[command\]\S*docker (buildx )?build /, 'nothing was built');
    assert.match(
      again.main.stdout,
      new RegExp(
        `skip-existing: ${repository}:${SHA_TAG} is ${digest} in ${registry.host}; copying it to ${second.host}`,
      ),
    );
    assert.equal(again.main.outputs.digest, digest, 'the digest of the first run');
    for (const reg of [registry, second]) {
      for (const tag of [SHA_TAG, 'again']) {
        assert.equal(
          (await getManifest(reg, repository, tag))?.digest,
          digest,
          `${reg.host}/${repository}:${tag}`,
        );
      }
    }
    assert.deepEqual((await listTags(registry, repository)).sort(), ['again', 'first', SHA_TAG].sort());
  },
);

test(
  'skip-existing: the first run of a commit builds, and says why',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const repository = uniqueRepo('skip-new');
    const { main } = await runJob(t, await setup(t), {
      inputs: { repository, tags: 'type=sha', 'skip-existing': 'true' },
    });
    assertOk(main);
    assert.match(
      main.stdout,
      new RegExp(`skip-existing: no registry has ${repository}:${SHA_TAG} yet: building`),
    );
    assert.match(main.stdout, /\[command\]\S*docker (buildx )?build /);
    await assertPushed(registry, repository, [SHA_TAG], main);
  },
);

const CRITICAL = {
  name: 'CVE-2024-3094',
  severity: 'CRITICAL',
  uri: 'https://nvd.nist.gov/vuln/detail/CVE-2024-3094',
};
const LOW = { name: 'CVE-2023-0001', severity: 'LOW', uri: 'https://nvd.nist.gov/vuln/detail/CVE-2023-0001' };

test(
  'scan gate: a CRITICAL finding fails the step and keeps the moving tags off the image',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const job = await setup(t);
    job.api.data.scanFindings = [CRITICAL, LOW];
    const repository = uniqueRepo('gate');
    const { main, mainCalls } = await runJob(t, job, {
      inputs: { repository, tags: 'type=sha\ntype=branch', 'scan-fail-on': 'HIGH' },
    });
    const message = assertFailedOnce(main);
    assert.match(
      message,
      /Scan gate \(scan-fail-on: HIGH\): 1 finding\(s\) at HIGH or above: CVE-2024-3094 \(CRITICAL\)/,
    );
    assert.match(
      message,
      /Fix: update the vulnerable packages and rebuild, or list an accepted vulnerability in scan-ignore/,
    );
    // buildx pushed by digest only; the classic builder could only push under the fixed tag.
    assert.deepEqual(await listTags(registry, repository), BUILDER === 'buildx' ? [] : [SHA_TAG]);
    const operations = mainCalls.map((call) => call.operation);
    assert.ok(
      operations.includes('StartImageScan'),
      'the repository does not scan on push: a scan is started',
    );
    assert.ok(
      operations.filter((name) => name === 'DescribeImageScanFindings').length >= 2,
      'polled until COMPLETE',
    );
    assert.match(main.summary, /Scan gate \(scan-fail-on: HIGH\): failed/);
    assert.match(main.summary, /href="https:\/\/nvd\.nist\.gov\/vuln\/detail\/CVE-2024-3094"/);
  },
);

test(
  'scan gate: an ignored finding passes; every tag then holds the scanned digest',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const job = await setup(t);
    job.api.data.scanFindings = [CRITICAL, LOW];
    const repository = uniqueRepo('gate-ok');
    const { main } = await runJob(t, job, {
      inputs: {
        repository,
        tags: 'type=sha\ntype=branch',
        'scan-fail-on': 'HIGH',
        'scan-ignore': 'cve-2024-3094',
      },
    });
    assertOk(main);
    assert.match(
      main.stdout,
      /Scan gate \(scan-fail-on: HIGH\) passed: no finding at HIGH or above; all findings: 1 CRITICAL, 1 LOW; ignored: CVE-2024-3094/,
    );
    await assertPushed(registry, repository, [SHA_TAG, 'main'], main);
    assert.deepEqual(
      lines(main.outputs.images).sort(),
      [SHA_TAG, 'main'].map((tag) => `${registry.host}/${repository}:${tag}`).sort(),
    );
    assert.match(main.summary, /Scan gate \(scan-fail-on: HIGH\): passed/);
    assert.match(main.outputs['iam-policy'], /ecr:DescribeImageScanFindings/);
  },
);

const BUILDX_ONLY = [
  ['platforms', 'linux/arm64'],
  ['cache', 'ecr'],
  ['cache-from', 'type=registry,ref=example.com/cache'],
  ['cache-to', 'type=inline'],
  ['secrets', 'NPM_TOKEN=e2e-build-secret-value'],
  ['provenance', 'mode=max'],
  ['push-by-digest', 'true'],
];

// A machine without buildx (a self-hosted runner with only docker.io): the docker the step runs answers
// `docker buildx …` as docker does when the plugin is missing. Only in the classic half of the file: the
// buildx half would run the same thing again.
const classicHalfOnly = BUILDER === 'docker' ? test : () => {};
classicHalfOnly(
  'buildx-only inputs without buildx: exit 1 naming the input and buildx, before any AWS call',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const shim = await createDockerShim({ withoutCommands: ['buildx'] });
    t.after(() => shim.remove());
    scanned.secrets.add('e2e-build-secret-value');
    for (const [input, value] of BUILDX_ONLY) {
      await t.test(`${input}: ${value}`, async (t) => {
        const job = await setup(t);
        const { main } = await runJob(t, job, {
          env: shim.env(),
          inputs: { repository: uniqueRepo('buildx'), builder: 'auto', [input]: value },
        });
        const message = assertFailedOnce(main);
        assert.ok(message.includes(input), `the error names ${input}: ${message}`);
        assert.match(message, /buildx/, message);
        assert.deepEqual(
          job.api.calls.map((call) => call.operation),
          [],
          'no AWS call',
        );
      });
    }
    await t.test('builder: buildx', async (t) => {
      const job = await setup(t);
      const { main } = await runJob(t, job, {
        env: shim.env(),
        inputs: { repository: uniqueRepo('buildx'), builder: 'buildx' },
      });
      const message = assertFailedOnce(main);
      assert.match(message, /\bbuilder\b/, `the error names builder: ${message}`);
      assert.match(message, /buildx/, message);
      assert.deepEqual(
        job.api.calls.map((call) => call.operation),
        [],
        'no AWS call',
      );
    });
  },
);

test('secrets scan: no password, token or secret in any step of this file', (t) => {
  if (unavailable) return t.skip(unavailable);
  // Only when the tests above were filtered out (--test-name-pattern): each one also scans its own steps.
  if (scanned.results.length === 0) return t.skip('no step of this file ran');
  const leaks = findLeaks(scanned.results, [...scanned.secrets]);
  t.diagnostic(
    `${scanned.results.length} steps scanned for ${scanned.secrets.size} secrets: ${leaks.length} found`,
  );
  assert.deepEqual(leaks, []);
});
