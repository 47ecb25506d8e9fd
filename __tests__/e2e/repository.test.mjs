// Repository management end to end: dist/index.js (main, then post, as the runner runs them) against the
// ECR stand-in. Creation with every setting and a re-run that writes nothing, a missing repository, two
// jobs creating the same repository at once, immutable tags, `latest` and floating versions that only move
// forward, the clean-up of untagged images by the post step, and an AccessDenied that quotes the policy.
// No Docker daemon or registry is needed: the images a test needs are seeded in the stand-in.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { defaultHandlers, start as startEcrApi } from './support/ecr-api.mjs';
import {
  FAKE_CREDENTIALS,
  createWorkdir,
  describeStep,
  findLeaks,
  runAction,
  runPost,
} from './support/runner.mjs';

const ACCOUNT = '111111111111';
const PULL_ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const BASE_INPUTS = { registries: ACCOUNT, region: REGION, 'docker-config': 'isolated' };
/** The calls that change a repository: a re-run with the same inputs must make none of them. */
const WRITE_OPERATIONS = [
  'CreateRepository',
  'PutImageTagMutability',
  'PutImageScanningConfiguration',
  'PutLifecyclePolicy',
  'SetRepositoryPolicy',
  'TagResource',
  'BatchDeleteImage',
];
/** The runner's push context: refs/heads/main at this commit, so the default tags are sha-0123456 and main. */
const SHA_TAG = 'sha-0123456';

/** A stand-in for one test, closed with it. */
async function startApi(t, options = {}) {
  const api = await startEcrApi({ accounts: [{ accountId: ACCOUNT, region: REGION }], ...options });
  t.after(() => api.close());
  return api;
}

function uniqueName(prefix) {
  return `e2e/${prefix}-${randomBytes(3).toString('hex')}`;
}

function digestOf(text) {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * One job: the main step, then the post step as `post-if: always()` runs it, in a fresh job directory
 * removed after the test. Returns both results and the API calls each made.
 */
async function runJob(t, api, { inputs, env = {} }) {
  const workdir = await createWorkdir();
  t.after(() => workdir.remove());
  const first = api.calls.length;
  const main = await runAction({ workdir, api, env, inputs: { ...BASE_INPUTS, ...inputs } });
  const mainCalls = api.calls.slice(first);
  const post = await runPost(main);
  assert.equal(post.code, 0, describeStep(post));
  const postCalls = api.calls.slice(first + mainCalls.length);
  assert.deepEqual(
    findLeaks([main, post], [...api.issuedSecrets(), FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY]),
    [],
    'a password, token or secret key reached the log or a runner file',
  );
  return { main, post, mainCalls, postCalls };
}

function assertOk(result) {
  assert.equal(result.code, 0, describeStep(result));
  assert.deepEqual(result.errors, [], describeStep(result));
}

/** Exit code 1 with exactly one ::error:: line, which is returned. */
function assertFailedOnce(result) {
  assert.equal(result.code, 1, describeStep(result));
  const lines = result.stdout.split('\n').filter((line) => line.startsWith('::error'));
  assert.equal(lines.length, 1, `exactly one ::error:: line\n${describeStep(result)}`);
  assert.equal(result.errors.length, 1);
  return result.errors[0];
}

const operationsOf = (calls) => calls.map((call) => call.operation);
const writesOf = (calls) => calls.filter((call) => WRITE_OPERATIONS.includes(call.operation));
const tagNames = (result) => (result.outputs['tag-names'] ?? '').split('\n').filter(Boolean);

test('create-repository with every setting; a re-run with the same inputs writes nothing', async (t) => {
  const api = await startApi(t);
  const name = uniqueName('created');
  const inputs = {
    repository: name,
    'create-repository': 'true',
    'tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
    'tag-mutability-exclusions': 'latest',
    'scan-on-push': 'true',
    'repository-tags': 'team=platform, cost-center=42',
    'lifecycle-policy': 'keep=30, untagged-days=7',
    'repository-policy': `pull-accounts: ${PULL_ACCOUNT}`,
  };

  const first = await runJob(t, api, { inputs });
  assertOk(first.main);
  assert.ok(operationsOf(first.mainCalls).includes('CreateRepository'), operationsOf(first.mainCalls));

  const record = api.repository(ACCOUNT, REGION, name);
  assert.ok(record, `the stand-in has no repository ${name}`);
  assert.equal(record.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
  assert.deepEqual(record.exclusionFilters, ['latest']);
  assert.equal(record.scanOnPush, true);
  assert.deepEqual(record.encryption, { encryptionType: 'AES256' }, 'no encryption input: ECR default');
  assert.deepEqual(record.tags, [
    { Key: 'team', Value: 'platform' },
    { Key: 'cost-center', Value: '42' },
  ]);
  const lifecycle = JSON.parse(record.lifecyclePolicy);
  assert.deepEqual(
    lifecycle.rules.map(({ rulePriority, selection, action }) => ({ rulePriority, selection, action })),
    [
      {
        rulePriority: 1,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 7,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
        action: { type: 'expire' },
      },
    ],
  );
  const repositoryPolicy = JSON.parse(record.repositoryPolicy);
  assert.equal(repositoryPolicy.Version, '2012-10-17');
  assert.equal(repositoryPolicy.Statement.length, 1);
  const [grant] = repositoryPolicy.Statement;
  assert.equal(grant.Effect, 'Allow');
  assert.deepEqual(grant.Principal, { AWS: [`arn:aws:iam::${PULL_ACCOUNT}:root`] });
  assert.ok(grant.Action.includes('ecr:BatchGetImage'), JSON.stringify(grant.Action));

  const arn = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
  assert.equal(first.main.outputs['repository-uri'], `${HOST}/${name}`);
  assert.equal(first.main.outputs['repository-arn'], arn);
  assert.equal(first.main.outputs['repository-created'], 'true');
  // `main` moves with each build and no exclusion filter lets it: it is left out, not refused later by ECR.
  assert.deepEqual(tagNames(first.main), [SHA_TAG]);
  assert.ok(
    first.main.warnings.some((warning) => /skipped main\b/.test(warning)),
    `a warning says why main is left out:\n${first.main.warnings.join('\n')}`,
  );

  const iamPolicy = JSON.parse(first.main.outputs['iam-policy']);
  const statements = Array.isArray(iamPolicy.Statement) ? iamPolicy.Statement : [iamPolicy.Statement];
  const actions = new Set(statements.flatMap((statement) => [statement.Action].flat()));
  for (const action of [
    'ecr:CreateRepository',
    'ecr:PutLifecyclePolicy',
    'ecr:SetRepositoryPolicy',
    // Tags given at creation need TagResource too; tag-mutability and scan-on-push are brought in line.
    'ecr:TagResource',
    'ecr:PutImageTagMutability',
    'ecr:PutImageScanningConfiguration',
  ]) {
    assert.ok(actions.has(action), `iam-policy grants ${action}: ${[...actions].join(', ')}`);
  }
  const resources = statements.flatMap((statement) => [statement.Resource].flat());
  assert.ok(resources.includes(arn), `iam-policy names ${arn}: ${resources.join(', ')}`);

  const again = await runJob(t, api, { inputs });
  assertOk(again.main);
  assert.equal(again.main.outputs['repository-created'], 'false');
  assert.equal(again.main.outputs['repository-uri'], `${HOST}/${name}`);
  assert.equal(again.main.outputs['repository-arn'], arn);
  assert.deepEqual(
    operationsOf(writesOf([...again.mainCalls, ...again.postCalls])),
    [],
    `a re-run makes no write call; it made: ${operationsOf(again.mainCalls).join(', ')}`,
  );
  assert.deepEqual(api.repository(ACCOUNT, REGION, name), record, 'the repository is unchanged');
});

test('a missing repository without create-repository fails in one line that says how to fix it', async (t) => {
  const api = await startApi(t);
  const name = uniqueName('missing');
  const { main, mainCalls } = await runJob(t, api, { inputs: { repository: name } });
  const message = assertFailedOnce(main);
  assert.ok(message.includes(name), `the error names the repository: ${message}`);
  assert.ok(message.includes('create-repository: true'), `the error gives the fix: ${message}`);
  assert.deepEqual(operationsOf(writesOf(mainCalls)), [], 'nothing created');
  assert.equal(api.repository(ACCOUNT, REGION, name), undefined);
  assert.equal(main.outputs['repository-uri'], undefined);
});

/**
 * The first `count` calls of `operation` wait until all `count` have arrived (at most `timeoutMs`), so two
 * jobs both see the state before either changes it. Later calls are answered at once.
 */
function holdUntilAllArrive(t, api, operation, count, timeoutMs = 15_000) {
  const waiting = [];
  let arrived = 0;
  let timer;
  const releaseAll = () => {
    clearTimeout(timer);
    for (const release of waiting.splice(0)) release();
  };
  t.after(releaseAll);
  api.setHandler('ecr', operation, async (ctx) => {
    if (arrived < count) {
      arrived += 1;
      const released = new Promise((resolve) => waiting.push(resolve));
      if (arrived === count) releaseAll();
      else if (arrived === 1) timer = setTimeout(releaseAll, timeoutMs);
      await released;
    }
    return defaultHandlers.ecr[operation](ctx);
  });
  return () => arrived;
}

test('two jobs creating the same repository at the same moment both succeed', async (t) => {
  const api = await startApi(t);
  const name = uniqueName('race');
  const arrived = holdUntilAllArrive(t, api, 'DescribeRepositories', 2);
  const inputs = {
    repository: name,
    'create-repository': 'true',
    'tag-mutability': 'IMMUTABLE',
    'scan-on-push': 'true',
    'lifecycle-policy': 'keep=10',
  };

  const jobs = await Promise.all([runJob(t, api, { inputs }), runJob(t, api, { inputs })]);
  for (const { main } of jobs) assertOk(main);
  assert.equal(arrived(), 2, 'both jobs described the repository before either created it');

  const creates = api.callsOf('CreateRepository');
  assert.deepEqual(creates.map((call) => call.status).sort(), [200, 400], 'both tried to create it');
  assert.equal(creates.find((call) => call.status === 400).error, 'RepositoryAlreadyExistsException');
  assert.deepEqual(jobs.map(({ main }) => main.outputs['repository-created']).sort(), ['false', 'true']);
  for (const { main } of jobs) {
    assert.equal(main.outputs['repository-uri'], `${HOST}/${name}`);
    assert.equal(main.outputs['repository-arn'], `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`);
  }
  // The loser finds the winner's repository with the settings it wanted: nothing to bring in line.
  assert.equal(api.callsOf('PutImageTagMutability').length, 0);
  assert.equal(api.callsOf('PutImageScanningConfiguration').length, 0);
  const record = api.repository(ACCOUNT, REGION, name);
  assert.equal(record.imageTagMutability, 'IMMUTABLE');
  assert.equal(record.scanOnPush, true);
  assert.equal(JSON.parse(record.lifecyclePolicy).rules.length, 1);
});

/** An IMMUTABLE repository in which both default tags (sha-0123456 and main) already exist. */
function seedImmutable(api, name) {
  api.repository(ACCOUNT, REGION, name, { imageTagMutability: 'IMMUTABLE' });
  api.seedImages(ACCOUNT, REGION, name, [
    { digest: digestOf(`${name} main`), tags: ['main'] },
    { digest: digestOf(`${name} sha`), tags: [SHA_TAG] },
  ]);
}

test('immutable repository, on-immutable skip: the moving tag is dropped with a warning', async (t) => {
  const api = await startApi(t);
  const name = uniqueName('immutable-skip');
  seedImmutable(api, name);
  const { main, mainCalls } = await runJob(t, api, {
    inputs: { repository: name, 'on-immutable': 'skip' },
  });
  assertOk(main);
  assert.deepEqual(tagNames(main), [SHA_TAG], 'main is left out, the commit tag is kept');
  assert.deepEqual(main.outputs.tags.split('\n'), [`${HOST}/${name}:${SHA_TAG}`]);
  assert.equal(main.outputs['repository-created'], 'false');
  const why = main.warnings.find((warning) => /skipped main\b/.test(warning));
  assert.ok(why, `a warning names main:\n${main.warnings.join('\n')}`);
  assert.match(why, /immutable/i, 'and says why');
  assert.deepEqual(operationsOf(writesOf(mainCalls)), []);
});

test('immutable repository, on-immutable fail: exit 1 naming the moving tag', async (t) => {
  const api = await startApi(t);
  const name = uniqueName('immutable-fail');
  seedImmutable(api, name);
  const { main, mainCalls } = await runJob(t, api, {
    inputs: { repository: name, 'on-immutable': 'fail' },
  });
  const message = assertFailedOnce(main);
  assert.match(message, /'main'/, `the error names the tag: ${message}`);
  assert.match(message, /on-immutable: skip/, `and the way out: ${message}`);
  assert.doesNotMatch(message, new RegExp(SHA_TAG), 'a tag that is not moving is not blamed');
  assert.equal(main.outputs.tags, undefined, 'no tags output when nothing may be pushed');
  assert.deepEqual(operationsOf(writesOf(mainCalls)), []);
});

/** The job env of a push of the git tag `tag`. */
function tagPush(tag) {
  return { GITHUB_REF: `refs/tags/${tag}`, GITHUB_REF_NAME: tag, GITHUB_REF_TYPE: 'tag' };
}

test('latest and floating versions never move backwards', async (t) => {
  const api = await startApi(t);
  const name = uniqueName('forward');
  api.repository(ACCOUNT, REGION, name, { imageTagMutability: 'MUTABLE' });
  api.seedImages(ACCOUNT, REGION, name, [{ digest: digestOf(`${name} 1.3.0`), tags: ['1.3.0', 'latest'] }]);
  const inputs = {
    repository: name,
    latest: 'auto',
    tags: [
      'type=semver,pattern={{version}}',
      'type=semver,pattern={{major}}.{{minor}}',
      'type=semver,pattern={{major}}',
    ].join('\n'),
  };

  const hotfix = await runJob(t, api, { inputs, env: tagPush('v1.2.9') });
  assertOk(hotfix.main);
  const held = tagNames(hotfix.main);
  assert.ok(held.includes('1.2.9') && held.includes('1.2'), `1.2.9 and 1.2 are pushed: ${held.join(', ')}`);
  assert.ok(
    !held.includes('1') && !held.includes('latest'),
    `1 and latest stay on 1.3.0: ${held.join(', ')}`,
  );
  for (const tag of ['1', 'latest']) {
    assert.ok(
      hotfix.main.warnings.some(
        (warning) => warning.includes(`skipped ${tag}:`) && warning.includes('1.3.0'),
      ),
      `a warning says ${tag} stays on 1.3.0:\n${hotfix.main.warnings.join('\n')}`,
    );
  }

  const release = await runJob(t, api, { inputs, env: tagPush('v1.4.0') });
  assertOk(release.main);
  assert.deepEqual(new Set(tagNames(release.main)), new Set(['1.4.0', '1.4', '1', 'latest']));
  assert.deepEqual(release.main.warnings, []);
});

test('cleanup: untagged lists in a dry run, then deletes every untagged image in batches of 100', async (t) => {
  const api = await startApi(t);
  const name = uniqueName('cleanup');
  const untagged = Array.from({ length: 150 }, (_, i) => ({ digest: digestOf(`${name} untagged ${i}`) }));
  const tagged = ['sha-0123456', 'main', 'v1'].map((tag) => ({
    digest: digestOf(`${name} ${tag}`),
    tags: [tag],
  }));
  api.repository(ACCOUNT, REGION, name, {});
  api.seedImages(ACCOUNT, REGION, name, [...untagged, ...tagged]);
  const count = async () => (await api.images(ACCOUNT, REGION, name)).length;

  const dryRun = await runJob(t, api, {
    inputs: { repository: name, cleanup: 'untagged', 'cleanup-dry-run': 'true' },
  });
  assertOk(dryRun.main);
  assert.deepEqual(operationsOf(writesOf([...dryRun.mainCalls, ...dryRun.postCalls])), []);
  assert.ok(operationsOf(dryRun.postCalls).includes('ListImages'), 'the post step lists them');
  assert.match(dryRun.post.visibleLog, /150 untagged image\(s\) would be deleted/);
  for (const { digest } of untagged) {
    assert.ok(dryRun.post.visibleLog.includes(digest), `the dry run lists ${digest}`);
  }
  for (const { digest } of tagged) assert.ok(!dryRun.post.visibleLog.includes(digest), 'tagged ones are not');
  assert.equal(await count(), 153, 'a dry run deletes nothing');

  const real = await runJob(t, api, { inputs: { repository: name, cleanup: 'untagged' } });
  assertOk(real.main);
  assert.deepEqual(operationsOf(writesOf(real.mainCalls)), [], 'the main step deletes nothing');
  const deletes = real.postCalls.filter((call) => call.operation === 'BatchDeleteImage');
  assert.deepEqual(
    deletes.map((call) => [call.status, call.body.imageIds.length]),
    [
      [200, 100],
      [200, 50],
    ],
  );
  const sent = deletes.flatMap((call) => call.body.imageIds.map((id) => id.imageDigest)).sort();
  assert.deepEqual(sent, untagged.map(({ digest }) => digest).sort(), 'exactly the untagged ones');
  assert.match(real.post.visibleLog, /deleted 150 of 150 untagged image\(s\)/);
  const left = await api.images(ACCOUNT, REGION, name);
  assert.deepEqual(
    left.map(({ digest, tags }) => ({ digest, tags })).sort((a, b) => (a.digest < b.digest ? -1 : 1)),
    tagged.map(({ digest, tags }) => ({ digest, tags })).sort((a, b) => (a.digest < b.digest ? -1 : 1)),
    'the tagged images are kept',
  );
});

test("cleanup keeps what kept images need: an index's children and a signature; orphans and clutter go", async (t) => {
  const api = await startApi(t);
  const name = uniqueName('referrers');
  const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
  const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
  const [childA, childB, signed, clutter] = ['amd64', 'arm64', 'signed', 'clutter'].map((what) =>
    digestOf(`${name} ${what}`),
  );
  const gone = digestOf(`${name} deleted long ago`);
  const imageManifest = (extra = {}) => ({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {},
    layers: [],
    ...extra,
  });
  /** A signature as cosign or Sigstore stores it: an untagged manifest whose subject is the image. */
  const referrer = (subject) => ({
    mediaType: OCI_MANIFEST,
    manifest: imageManifest({
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      subject: { mediaType: OCI_MANIFEST, digest: subject, size: 100 },
    }),
  });
  const index = {
    digest: digestOf(`${name} index`),
    tags: ['v1'],
    mediaType: OCI_INDEX,
    manifest: {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [childA, childB].map((digest) => ({ mediaType: OCI_MANIFEST, digest, size: 100 })),
    },
  };
  const signature = { digest: digestOf(`${name} signature`), ...referrer(signed) };
  const orphan = { digest: digestOf(`${name} orphan`), ...referrer(gone) };
  api.repository(ACCOUNT, REGION, name, {});
  api.seedImages(ACCOUNT, REGION, name, [
    index,
    { digest: childA, mediaType: OCI_MANIFEST, manifest: imageManifest() },
    { digest: childB, mediaType: OCI_MANIFEST, manifest: imageManifest() },
    { digest: signed, tags: ['v2'], mediaType: OCI_MANIFEST, manifest: imageManifest() },
    signature,
    orphan,
    { digest: clutter, mediaType: OCI_MANIFEST, manifest: imageManifest() },
  ]);

  const dryRun = await runJob(t, api, {
    inputs: { repository: name, cleanup: 'untagged', 'cleanup-dry-run': 'true' },
  });
  assertOk(dryRun.main);
  const log = dryRun.post.visibleLog;
  assert.match(log, /2 untagged image\(s\) would be deleted/);
  assert.ok(log.includes(`${orphan.digest} (a referrer of an image that is gone)`), log);
  assert.ok(log.includes(clutter), log);
  assert.ok(log.includes(`${childA} (a platform manifest of a kept index)`), log);
  assert.ok(log.includes(`${signature.digest} (a signature, SBOM or attestation of a kept image)`), log);
  assert.equal((await api.images(ACCOUNT, REGION, name)).length, 7, 'a dry run deletes nothing');

  const real = await runJob(t, api, { inputs: { repository: name, cleanup: 'untagged' } });
  assertOk(real.main);
  const sent = real.postCalls
    .filter((call) => call.operation === 'BatchDeleteImage')
    .flatMap((call) => call.body.imageIds.map((id) => id.imageDigest));
  assert.deepEqual(
    sent.sort(),
    [orphan.digest, clutter].sort(),
    'only the orphan and the clutter are deleted',
  );
  const left = (await api.images(ACCOUNT, REGION, name)).map((image) => image.digest).sort();
  assert.deepEqual(left, [index.digest, childA, childB, signed, signature.digest].sort());
});

test('AccessDenied on CreateRepository: the error names the action and quotes a JSON policy', async (t) => {
  const api = await startApi(t, { faults: { accessDenied: ['CreateRepository'] } });
  const name = uniqueName('denied');
  const { main } = await runJob(t, api, { inputs: { repository: name, 'create-repository': 'true' } });
  const message = assertFailedOnce(main);
  assert.ok(message.includes('ecr:CreateRepository'), `the error names the action: ${message}`);
  const marker = 'Attach this IAM policy to the role: ';
  assert.ok(message.includes(marker), `the error quotes a policy: ${message}`);
  const policy = JSON.parse(message.slice(message.indexOf(marker) + marker.length));
  assert.equal(policy.Version, '2012-10-17');
  const statements = [policy.Statement].flat();
  assert.ok(
    statements.some(
      (statement) =>
        statement.Effect === 'Allow' &&
        [statement.Action].flat().includes('ecr:CreateRepository') &&
        [statement.Resource].flat().includes(`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`),
    ),
    `the policy grants ecr:CreateRepository on the repository: ${JSON.stringify(policy)}`,
  );
  assert.equal(api.callsOf('CreateRepository').length, 1, 'an AccessDenied is not retried');
  assert.equal(api.repository(ACCOUNT, REGION, name), undefined);
});
