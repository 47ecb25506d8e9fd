// Checks of the e2e harness itself (stand-in API, registry, runner emulation), so a failing
// scenario test points at the action and not at the tools that drive it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  ECRPUBLICClient,
  GetAuthorizationTokenCommand as GetPublicAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr-public';
import { TOKEN_TTL_SECONDS, authToken, start as startEcrApi } from './support/ecr-api.mjs';
import { getLabels, getManifest, listTags, pushMinimalImage, startRegistry } from './support/registry.mjs';
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
    await assert.rejects(ecrClient(api).send(new DescribeRepositoriesCommand({})), {
      name: 'UnknownOperationException',
    });
    api.setHandler('ecr', 'DescribeRepositories', (ctx) => ({
      repositories: [{ repositoryName: 'app', registryId: ctx.state.defaultAccount }],
    }));
    const res = await ecrClient(api).send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }));
    assert.equal(res.repositories[0].repositoryName, 'app');
    assert.deepEqual(api.callsOf('DescribeRepositories').at(-1).body, { repositoryNames: ['app'] });
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
