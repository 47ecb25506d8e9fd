// Many runners, one image: two "runner" jobs (their own workspace and docker config) each build one
// platform on the real BuildKit engine and push it by digest into an IMMUTABLE repository; a third job
// merges the digests into one index under every tag; a promotion tags that index `prod` over the registry
// API, in the same repository and into another, uploading no blob (the registry's access log says so).
// Everything is read back from the registry.
process.env.E2E_BUILDER = 'buildx';

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { removeImages } from './support/docker.mjs';
import { authToken, start as startEcrApi } from './support/ecr-api.mjs';
import {
  accessLogMark,
  accessLogRequests,
  getRawManifest,
  listTags,
  startRegistry,
} from './support/registry.mjs';
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
// The commit the runner emulation gives (GITHUB_SHA).
const SHA = '0123456789abcdef0123456789abcdef01234567';
const SHA_TAG = 'sha-0123456';
const TEST_TIMEOUT_MS = 300_000;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

let registry;
let unavailable = null;
let engine;
const secrets = new Set([FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY]);

before(async () => {
  // Imported here: builders.mjs reads E2E_BUILDER when it loads, after the assignment above.
  const { startBuilder } = await import('./support/builders.mjs');
  engine = await startBuilder();
  if (!engine.available) {
    unavailable = engine.reason;
    return;
  }
  registry = await startRegistry({ accessLog: true });
  secrets.add(registry.password);
  secrets.add(authToken(registry.password));
});

after(async () => {
  await registry?.close();
  await engine?.stop();
});

/** A runner's job: its own ECR stand-in view, workspace, docker config and push event. */
async function job(t, handlers) {
  const api = await startEcrApi({
    ...(handlers ? { handlers } : {}),
    accounts: [
      {
        accountId: ACCOUNT,
        region: REGION,
        proxyEndpoint: `http://${registry.host}`,
        password: registry.password,
      },
    ],
  });
  const workdir = await createWorkdir();
  t.after(async () => {
    await api.close();
    await workdir.remove();
  });
  await writeFile(path.join(workdir.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  await writeFile(path.join(workdir.workspace, 'hello.txt'), 'hello from every platform\n');
  await writeFile(
    workdir.eventPath,
    JSON.stringify({
      ref: 'refs/heads/main',
      after: SHA,
      head_commit: { id: SHA, timestamp: '2026-12-01T10:00:00Z' },
    }),
  );
  return { api, workdir };
}

async function run(t, inputs, handlers) {
  const { api, workdir } = await job(t, handlers);
  const main = await runAction({
    workdir,
    api,
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      'docker-config': 'isolated',
      'create-repository': 'true',
      'tag-mutability': 'IMMUTABLE',
      ...inputs,
    },
  });
  t.after(() => removeImages(...(main.outputs.images ?? '').split('\n').filter((ref) => !ref.includes('@'))));
  const post = await runPost(main);
  assert.equal(main.code, 0, describeStep(main));
  assert.deepEqual(main.errors, [], describeStep(main));
  assert.equal(post.code, 0, describeStep(post));
  for (const secret of api.issuedSecrets()) secrets.add(secret);
  assert.deepEqual(findLeaks([main, post], [...secrets]), [], 'a secret reached the log or a runner file');
  return { main, calls: api.calls.map((call) => call.operation), api };
}

/** Uploads a stretch of the access log shows: a blob upload started (not a mount) or its data sent. */
function uploadsIn(requests) {
  return requests.filter(
    (request) =>
      /\/blobs\/uploads\//.test(request.url) &&
      (request.method !== 'POST' || !request.url.includes('mount=') || request.status === 202),
  );
}

const repository = `team/app-${randomBytes(3).toString('hex')}`;
const pushed = {};

test(
  'push-by-digest: each runner pushes its platform untagged into an IMMUTABLE repository',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const { main } = await run(t, {
        repository,
        build: 'true',
        builder: 'buildx',
        platforms: platform,
        'push-by-digest': 'true',
        tags: 'type=sha',
      });
      const digests = JSON.parse(main.outputs.digests);
      assert.deepEqual(digests, [{ digest: main.outputs.digest, platform }], main.outputs.digests);
      assert.match(main.outputs.images, new RegExp(`/${repository}@sha256:[0-9a-f]{64}$`));
      const manifest = await getRawManifest(registry, repository, main.outputs.digest);
      assert.ok(manifest, `the registry holds ${platform}'s manifest by digest`);
      pushed[platform] = main.outputs.digests;
    }
    assert.deepEqual(await listTags(registry, repository), [], 'no tag was pushed');
    assert.notEqual(JSON.parse(pushed['linux/amd64'])[0].digest, JSON.parse(pushed['linux/arm64'])[0].digest);
  },
);

let indexDigest;

test(
  'merge-digests: one index with both platforms under every tag, builds nothing',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable || !pushed['linux/arm64']) return t.skip(unavailable ?? 'needs the push-by-digest test');
    // Two tags that never move, as an IMMUTABLE repository needs.
    const tags = 'type=sha\ntype=sha,format=long';
    const mergeDigests = `${pushed['linux/amd64']}\n${pushed['linux/arm64']}`;
    const { main } = await run(t, { repository, 'merge-digests': mergeDigests, tags });
    assert.doesNotMatch(main.stdout, /\[command\]\S*docker/, 'no docker command ran');
    indexDigest = main.outputs.digest;
    assert.match(indexDigest, /^sha256:[0-9a-f]{64}$/);
    for (const tag of [SHA_TAG, `sha-${SHA}`]) {
      const manifest = await getRawManifest(registry, repository, tag);
      assert.ok(manifest, `${tag}: ${describeStep(main)}`);
      assert.equal(manifest.digest, indexDigest, `${tag} holds the index`);
      const index = manifest.manifest;
      assert.equal(index.mediaType, OCI_INDEX);
      const platforms = index.manifests.map((entry) => `${entry.platform.os}/${entry.platform.architecture}`);
      assert.deepEqual(platforms.sort(), ['linux/amd64', 'linux/arm64']);
      const children = Object.fromEntries(
        index.manifests.map((entry) => [`${entry.platform.os}/${entry.platform.architecture}`, entry.digest]),
      );
      assert.equal(children['linux/amd64'], JSON.parse(pushed['linux/amd64'])[0].digest);
      assert.equal(children['linux/arm64'], JSON.parse(pushed['linux/arm64'])[0].digest);
      assert.equal(
        index.annotations['org.opencontainers.image.revision'],
        SHA,
        'labels are the index annotations',
      );
    }
    assert.equal(main.outputs.pushed, 'true');
    assert.deepEqual(
      main.outputs.images
        .split('\n')
        .map((ref) => ref.slice(ref.lastIndexOf(':') + 1))
        .sort(),
      [SHA_TAG, `sha-${SHA}`].sort(),
    );

    // A re-run (the digests in the other order, as artifacts may come): the same index, nothing written.
    const again = await run(t, {
      repository,
      'merge-digests': `${pushed['linux/arm64']}\n${pushed['linux/amd64']}`,
      tags,
    });
    assert.equal(again.main.outputs.digest, indexDigest, 'the same children give the same index');
    assert.equal(again.main.outputs.pushed, 'false', 'the immutable tags already hold it');
  },
);

test(
  'merge-digests: a digest the registry lacks fails, naming the digest and the registry',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const missing = `sha256:${'0'.repeat(64)}`;
    const { api, workdir } = await job(t);
    const main = await runAction({
      workdir,
      api,
      inputs: {
        registries: ACCOUNT,
        region: REGION,
        repository,
        'create-repository': 'true',
        'merge-digests': missing,
        tags: 'type=raw,value=broken',
      },
    });
    assert.equal(main.code, 1, describeStep(main));
    assert.equal(main.errors.length, 1, describeStep(main));
    assert.ok(main.errors[0].includes(missing), main.errors[0]);
    assert.ok(main.errors[0].includes(`${registry.host}/${repository}`), main.errors[0]);
    assert.ok(!(await listTags(registry, repository)).includes('broken'));
  },
);

test(
  'promote: the tested index becomes prod, same digest, no blob uploaded, in this repository and another',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable || !indexDigest) return t.skip(unavailable ?? 'needs the merge test');
    const source = `${registry.host}/${repository}:${SHA_TAG}`;
    let mark = accessLogMark(registry);
    // `prod` moves with each release: the repository keeps every other tag immutable.
    const moving = { 'tag-mutability': 'IMMUTABLE_WITH_EXCLUSION', 'tag-mutability-exclusions': 'prod' };
    const same = await run(t, { repository, 'source-image': source, tags: 'type=raw,value=prod', ...moving });
    assert.equal(same.main.outputs.digest, indexDigest);
    assert.equal((await getRawManifest(registry, repository, 'prod')).digest, indexDigest);
    assert.deepEqual(
      uploadsIn(accessLogRequests(registry, mark)),
      [],
      'no blob upload within one repository',
    );
    assert.doesNotMatch(same.main.stdout, /\[command\]\S*docker/, 'no docker command ran');

    const other = `${repository}-prod`;
    mark = accessLogMark(registry);
    const copied = await run(t, {
      repository: other,
      'source-image': source,
      tags: 'type=raw,value=prod',
      ...moving,
    });
    assert.equal(copied.main.outputs.digest, indexDigest);
    const manifest = await getRawManifest(registry, other, 'prod');
    assert.equal(manifest.digest, indexDigest, 'byte-identical in the other repository');
    for (const child of manifest.manifest.manifests) {
      assert.ok(await getRawManifest(registry, other, child.digest), 'each child is there');
    }
    const requests = accessLogRequests(registry, mark);
    assert.deepEqual(uploadsIn(requests), [], 'blobs are mounted from the source repository, not uploaded');
    assert.ok(
      requests.some(
        (request) => request.method === 'POST' && request.url.includes('mount=') && request.status === 201,
      ),
      'at least one blob was mounted',
    );
    assert.match(copied.main.stdout, /blobs \d+ present, [1-9]\d* mounted, 0 uploaded/);
  },
);

test(
  'deploy hand-off: json names the image by digest in each registry; wait-for-replication polls until COMPLETE',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable || !indexDigest) return t.skip(unavailable ?? 'needs the merge test');
    // ECR replicating to us-east-1: in progress on the first two asks, complete on the third.
    let asked = 0;
    const handlers = {
      ecr: {
        DescribeImageReplicationStatus(ctx) {
          asked += 1;
          return {
            repositoryName: ctx.body.repositoryName,
            imageId: ctx.body.imageId,
            replicationStatuses: [
              { region: 'us-east-1', registryId: ACCOUNT, status: asked < 3 ? 'IN_PROGRESS' : 'COMPLETE' },
            ],
          };
        },
      },
    };
    const { main, api } = await run(
      t,
      {
        repository,
        'source-image': `${registry.host}/${repository}:${SHA_TAG}`,
        tags: 'type=raw,value=release',
        'tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
        'tag-mutability-exclusions': 'prod,release',
        'wait-for-replication': '60',
      },
      handlers,
    );
    const asks = api.calls.filter((call) => call.operation === 'DescribeImageReplicationStatus');
    assert.equal(asks.length, 3, 'asked until COMPLETE, then no more');
    assert.deepEqual(asks[0].body.imageId, { imageDigest: indexDigest });
    assert.match(main.stdout, new RegExp(`${repository}@${indexDigest}: replicated to ${ACCOUNT}/us-east-1`));
    assert.match(main.stdout, /^Wait for replication: /m);
    assert.deepEqual(JSON.parse(main.outputs.json).images, [
      { registry: registry.host, image: `${registry.host}/${repository}@${indexDigest}` },
    ]);
    assert.match(main.outputs['iam-policy'], /ecr:DescribeImageReplicationStatus/);
  },
);
