// What only BuildKit can do, on the real BuildKit engine (support/buildkit.mjs) through dist/index.js:
// a multi-platform image index, provenance attestations in it, a registry cache in the repository that a
// second build reuses, and build secrets that reach a RUN step and no layer, log or output. Each result is
// read back from the registry, never taken from the action's word for it.
process.env.E2E_BUILDER = 'buildx';

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { BUILDKIT_ROOT } from './support/buildkit.mjs';
import { docker, removeImages } from './support/docker.mjs';
import { authToken, start as startEcrApi } from './support/ecr-api.mjs';
import { getBlob, getRawManifest, startDockerAndRegistry } from './support/registry.mjs';
import {
  FAKE_CREDENTIALS,
  createWorkdir,
  describeStep,
  findLeaks,
  runAction,
  runPost,
} from './support/runner.mjs';
import { tempDir } from './support/proc.mjs';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const SHA_TAG = 'sha-0123456';
const TEST_TIMEOUT_MS = 300_000;
const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
/** A base image with a shell, built here from Debian's busybox-static (Docker Hub is out of reach). */
const BASE_IMAGE = `e2e-busybox:${randomBytes(4).toString('hex')}`;

let registry;
let unavailable = null;
let stopDocker;
let builderInputs = {};
const secrets = new Set([FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY]);

before(async () => {
  ({ registry, unavailable, builderInputs, stop: stopDocker } = await startDockerAndRegistry());
  if (unavailable) return;
  secrets.add(registry.password);
  secrets.add(authToken(registry.password));
  const context = await tempDir('busybox');
  await mkdir(path.join(context, 'bin'));
  await copyFile(path.join(BUILDKIT_ROOT, 'usr/bin/busybox'), path.join(context, 'bin/busybox'));
  await writeFile(
    path.join(context, 'Dockerfile'),
    'FROM scratch\nCOPY bin/busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
  );
  const built = await docker(['buildx', 'build', '--load', `--tag=${BASE_IMAGE}`, context], {
    env: { DOCKER_BUILDKIT: undefined },
  });
  assert.equal(built.code, 0, `the busybox base image: ${built.stderr}`);
});

after(async () => {
  if (!unavailable) await removeImages(BASE_IMAGE);
  await stopDocker?.();
});

const uniqueRepo = (name) => `bk/${name}-${randomBytes(3).toString('hex')}`;

/** A job whose workspace holds `files` and a push event with the commit's time. */
async function setup(t, files) {
  if (unavailable) {
    t.skip(unavailable);
    return null;
  }
  const api = await startEcrApi({
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
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(workdir.workspace, name), text);
  await writeFile(
    workdir.eventPath,
    JSON.stringify({
      ref: 'refs/heads/main',
      after: SHA,
      head_commit: { id: SHA, timestamp: '2024-05-01T12:00:00Z' },
    }),
  );
  return { api, workdir };
}

/** Main then post, both green, no secret anywhere in what they printed or wrote. */
async function runJob(t, { api, workdir }, inputs, env = {}) {
  const main = await runAction({
    workdir,
    api,
    env,
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      build: 'true',
      'create-repository': 'true',
      'docker-config': 'isolated',
      tags: 'type=sha',
      ...builderInputs,
      ...inputs,
    },
  });
  t.after(() => removeImages(...(main.outputs.images ?? '').split('\n').filter(Boolean)));
  const post = await runPost(main);
  assert.equal(main.code, 0, describeStep(main));
  assert.deepEqual(main.errors, [], describeStep(main));
  assert.equal(post.code, 0, describeStep(post));
  for (const secret of api.issuedSecrets()) secrets.add(secret);
  assert.deepEqual(findLeaks([main, post], [...secrets]), [], 'a secret reached the log or a runner file');
  return main;
}

const blobJson = async (repository, digest) =>
  JSON.parse((await getBlob(registry, repository, digest)).toString('utf8'));

const COPY_ONLY = (nonce) => ({
  Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n',
  'hello.txt': `hello ${nonce}\n`,
});

test(
  'platforms: one image index with linux/amd64 and linux/arm64, labels on each',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t, COPY_ONLY(randomBytes(8).toString('hex')));
    if (!job) return;
    const repository = uniqueRepo('multi');
    const main = await runJob(t, job, { repository, platforms: 'linux/amd64,linux/arm64' });
    const index = await getRawManifest(registry, repository, SHA_TAG);
    assert.ok(INDEX_TYPES.includes(index.mediaType), `an index: ${index.mediaType}`);
    assert.equal(main.outputs.digest, index.digest, 'the digest output is the index');
    const platforms = index.manifest.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`);
    assert.deepEqual(platforms.sort(), ['linux/amd64', 'linux/arm64'], 'both platforms, no attestation');
    for (const child of index.manifest.manifests) {
      const manifest = await getRawManifest(registry, repository, child.digest);
      const config = await blobJson(repository, manifest.manifest.config.digest);
      assert.equal(config.architecture, child.platform.architecture);
      assert.equal(
        config.config.Labels['org.opencontainers.image.revision'],
        SHA,
        'labels on every platform',
      );
      assert.equal(config.config.Labels['org.opencontainers.image.created'], '2024-05-01T12:00:00.000Z');
      // SOURCE_DATE_EPOCH: BuildKit stamps the image with the commit's time, not the build's.
      assert.equal(
        config.created,
        '2024-05-01T12:00:00Z',
        'the image config is stamped with the commit time',
      );
    }
  },
);

test(
  'provenance: mode=min puts an attestation manifest in the index',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t, COPY_ONLY(randomBytes(8).toString('hex')));
    if (!job) return;
    const repository = uniqueRepo('prov');
    const main = await runJob(t, job, { repository, provenance: 'mode=min' });
    const index = await getRawManifest(registry, repository, SHA_TAG);
    assert.ok(INDEX_TYPES.includes(index.mediaType), `an index: ${index.mediaType}`);
    assert.equal(main.outputs.digest, index.digest);
    const attestations = index.manifest.manifests.filter(
      (m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
    );
    assert.equal(attestations.length, 1, 'one attestation manifest');
    const images = index.manifest.manifests.filter((m) => m.platform?.os === 'linux');
    assert.equal(
      attestations[0].annotations['vnd.docker.reference.digest'],
      images[0].digest,
      'for the image',
    );
    const attestation = await getRawManifest(registry, repository, attestations[0].digest);
    const types = attestation.manifest.layers.map(
      (layer) => layer.annotations?.['in-toto.io/predicate-type'],
    );
    assert.ok(
      types.some((type) => /slsa\.dev\/provenance/.test(type ?? '')),
      `SLSA provenance: ${types}`,
    );
  },
);

test(
  'cache: ecr writes a BuildKit cache manifest under buildcache, and the next build reuses it',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const nonce = randomBytes(8).toString('hex');
    const files = {
      Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo ${nonce} > /built && sleep 1\nCOPY hello.txt /hello.txt\n`,
      'hello.txt': 'first\n',
    };
    const job = await setup(t, files);
    if (!job) return;
    const repository = uniqueRepo('cache');
    await runJob(t, job, { repository, cache: 'ecr' });
    const cache = await getRawManifest(registry, repository, 'buildcache');
    assert.equal(cache.mediaType, 'application/vnd.oci.image.manifest.v1+json', 'an OCI image manifest');
    assert.equal(cache.manifest.config.mediaType, 'application/vnd.buildkit.cacheconfig.v0');

    // Another job on a clean builder: the RUN step comes from the registry cache.
    const pruned = await docker(['buildx', 'prune', '--all', '--force'], {
      env: { DOCKER_BUILDKIT: undefined },
    });
    assert.equal(pruned.code, 0, pruned.stderr);
    const again = await setup(t, { ...files, 'hello.txt': 'second\n' });
    const second = await runJob(t, again, { repository, cache: 'ecr', tags: 'type=raw,value=second' });
    assert.match(
      second.stdout,
      /#\d+ \[2\/3\] RUN echo [0-9a-f]+ > \/built && sleep 1\n#\d+ CACHED/,
      'the RUN step is CACHED',
    );
  },
);

test(
  'secrets reach a RUN --mount=type=secret step and no layer, log or output',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const value = `e2e-build-secret-${randomBytes(12).toString('hex')}`;
    secrets.add(value);
    // The RUN step checks the secret by its hash, so the Dockerfile never holds it; it fails the build otherwise.
    const hash = createHash('sha256').update(value).digest('hex');
    const job = await setup(t, {
      Dockerfile:
        `FROM ${BASE_IMAGE}\n` +
        `RUN --mount=type=secret,id=token test "$(sha256sum /run/secrets/token | cut -d' ' -f1)" = "${hash}" && echo verified > /verified\n`,
    });
    if (!job) return;
    const repository = uniqueRepo('secret');
    await runJob(t, job, { repository, secrets: `token=${value}` });
    const manifest = (await getRawManifest(registry, repository, SHA_TAG)).manifest;
    const layers = await Promise.all(
      manifest.layers.map(async (layer) => gunzipSync(await getBlob(registry, repository, layer.digest))),
    );
    assert.ok(
      layers.some((bytes) => bytes.includes('verified\n')),
      'the RUN step saw the secret',
    );
    for (const bytes of layers) assert.equal(bytes.includes(value), false, 'the secret is in a layer');
    const config = await getBlob(registry, repository, manifest.config.digest);
    assert.equal(config.includes(value), false, 'the secret is in the image config (history, env)');
  },
);

// BuildKit makes an SBOM with a scanner image of its own (docker/buildkit-syft-scanner) from Docker Hub,
// which this machine cannot reach: what is checked here is that --sbom reaches buildx and that the failure
// says what to do. Where the builder reaches Docker Hub, the attestation lands in the index like provenance's.
test(
  'sbom: true asks BuildKit for an SBOM; a scanner it cannot pull fails in one line with the fix',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t, COPY_ONLY(randomBytes(8).toString('hex')));
    if (!job) return;
    const repository = uniqueRepo('sbom');
    const main = await runAction({
      workdir: job.workdir,
      api: job.api,
      inputs: {
        registries: ACCOUNT,
        region: REGION,
        build: 'true',
        'create-repository': 'true',
        'docker-config': 'isolated',
        ...builderInputs,
        repository,
        sbom: 'true',
      },
    });
    const post = await runPost(main);
    assert.equal(post.code, 0, describeStep(post));
    assert.match(main.visibleLog, /docker buildx build .*--sbom=true /, '--sbom=true reached buildx');
    assert.equal(main.code, 1, describeStep(main));
    assert.equal(main.errors.length, 1);
    assert.match(
      main.errors[0],
      /buildkit-syft-scanner.*sbom: true runs BuildKit's SBOM scanner.*or remove sbom\.$/,
    );
    assert.doesNotMatch(main.errors[0], /BatchGetImage/);
  },
);

test(
  'lambda: true pushes one image manifest, read back from ECR, never an index',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t, COPY_ONLY(randomBytes(8).toString('hex')));
    if (!job) return;
    const repository = uniqueRepo('lambda');
    const main = await runJob(t, job, { repository, lambda: 'true' });
    const pushed = await getRawManifest(registry, repository, SHA_TAG);
    assert.ok(!INDEX_TYPES.includes(pushed.mediaType), `a single manifest: ${pushed.mediaType}`);
    assert.equal(main.outputs.digest, pushed.digest);
    const config = await blobJson(repository, pushed.manifest.config.digest);
    assert.equal(`${config.os}/${config.architecture}`, 'linux/amd64', "Lambda's default architecture");
    assert.match(main.visibleLog, /an image manifest Lambda can run\./, 'the step read it back');
    const reads = job.api.calls.filter((call) => call.operation === 'BatchGetImage');
    assert.ok(reads.length >= 1, 'read back through the ECR API');
  },
);

test(
  "build-push-action's inputs reach BuildKit: build-contexts, annotations, add-hosts, no-cache; metadata and imageid outputs",
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const nonce = randomBytes(8).toString('hex');
    const job = await setup(t, {
      Dockerfile:
        `FROM ${BASE_IMAGE}\n` +
        'COPY --from=extra /extra.txt /extra.txt\n' +
        'RUN grep -q "10.1.2.3[[:space:]]*e2e-host" /etc/hosts && echo hosts-ok > /hosts-ok\n',
    });
    if (!job) return;
    const extra = path.join(job.workdir.root, 'extra');
    await mkdir(extra);
    await writeFile(path.join(extra, 'extra.txt'), `extra ${nonce}\n`);
    const repository = uniqueRepo('options');
    const main = await runJob(t, job, {
      repository,
      'build-contexts': `extra=${extra}`,
      annotations: 'manifest:org.example.team=platform',
      'add-hosts': 'e2e-host:10.1.2.3',
      'no-cache': 'true',
    });
    assert.match(main.visibleLog, / --no-cache /);
    const pushed = await getRawManifest(registry, repository, SHA_TAG);
    assert.equal(pushed.manifest.annotations?.['org.example.team'], 'platform', 'the manifest annotation');
    const layers = await Promise.all(
      pushed.manifest.layers.map(async (layer) =>
        gunzipSync(await getBlob(registry, repository, layer.digest)),
      ),
    );
    assert.ok(
      layers.some((bytes) => bytes.includes(`extra ${nonce}\n`)),
      'the file from the extra build context',
    );
    assert.ok(
      layers.some((bytes) => bytes.includes('hosts-ok\n')),
      'the RUN step saw the added host',
    );
    const metadata = JSON.parse(main.outputs.metadata);
    assert.equal(metadata['containerimage.digest'], main.outputs.digest, 'metadata: buildx’s metadata file');
    assert.equal(main.outputs.imageid, main.outputs['image-id']);
    assert.equal(main.outputs.imageid, pushed.manifest.config.digest, 'imageid: the config digest');
  },
);

test(
  'builder: a buildx builder instance by name; an unknown one fails before any AWS call',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const job = await setup(t, COPY_ONLY(randomBytes(8).toString('hex')));
    if (!job) return;
    // A named builder: buildx's docker driver on a docker context of its own, pointing at the BuildKit
    // engine, in the job's docker config (contexts live there; setup-buildx-action's builders live in
    // its buildx/ directory, which an isolated config keeps through BUILDX_CONFIG).
    const name = `e2e-ctx-${randomBytes(3).toString('hex')}`;
    const created = await docker(['context', 'create', name, '--docker', `host=${process.env.DOCKER_HOST}`], {
      env: { DOCKER_CONFIG: path.join(job.workdir.home, '.docker') },
    });
    assert.equal(created.code, 0, created.stderr);
    const repository = uniqueRepo('named');
    // A context's builder is used with the context's own endpoint: DOCKER_HOST would override it.
    const main = await runJob(
      t,
      job,
      { repository, builder: name, 'docker-config': 'default' },
      { DOCKER_HOST: undefined },
    );
    assert.match(main.visibleLog, new RegExp(`docker --context=${name} buildx build `));
    assert.ok(
      (await getRawManifest(registry, repository, SHA_TAG)).digest,
      'pushed through the named builder',
    );

    const missing = await setup(t, COPY_ONLY('x'));
    const failed = await runAction({
      workdir: missing.workdir,
      api: missing.api,
      inputs: { registries: ACCOUNT, region: REGION, build: 'true', repository, builder: 'no-such-builder' },
    });
    assert.equal(failed.code, 1, describeStep(failed));
    assert.match(
      failed.errors[0] ?? '',
      /^Input 'builder': 'no-such-builder' is not valid; buildx has no builder of that name/,
    );
    assert.deepEqual(missing.api.calls, [], 'no AWS call');
  },
);
