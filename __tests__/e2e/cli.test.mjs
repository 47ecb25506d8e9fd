// The ecr-push CLI end to end: dist/cli/index.js under Node 24, spawned as a user's CI script would run it,
// with a clean environment (no GITHUB_* variable: the CLI would take the run for GitHub Actions), the fake
// AWS credentials, the ECR stand-in, a real registry behind its proxyEndpoint, the real Docker daemon, and a
// temporary git checkout of examples/app as the working directory. Each CI system is only its variables.
// What a user would notice is read back from the registry, the docker config and the process's output.
//
// E2E_CLI_ENTRY runs another build of the CLI (e.g. one with a fix) instead of dist/cli/index.js.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { appendFile, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { authToken, start as startEcrApi } from './support/ecr-api.mjs';
import { buildScratchImage, docker, removeImages } from './support/docker.mjs';
import { run, tempDir } from './support/proc.mjs';
import { getLabels, listTags, startDockerAndRegistry, tagDigests } from './support/registry.mjs';
import { ACTION_DIR, FAKE_CREDENTIALS, resolveNode24 } from './support/runner.mjs';

const CLI_ENTRY = process.env.E2E_CLI_ENTRY ?? path.join(ACTION_DIR, 'dist', 'cli', 'index.js');
const APP_DIR = path.join(ACTION_DIR, 'examples', 'app');
const VERSION = JSON.parse(readFileSync(path.join(ACTION_DIR, 'package.json'), 'utf8')).version;
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
/** The checkout's one commit, made at a fixed time: the `created` label. */
const COMMIT_DATE = '2024-05-01T12:00:00Z';
const CREATED = '2024-05-01T12:00:00.000Z';
const ORIGIN = 'https://github.com/octo/app.git';
const SOURCE = 'https://github.com/octo/app';
const CLI_TIMEOUT_MS = 180_000;
const GIT_TIMEOUT_MS = 30_000;
const DOCKER_TEST_TIMEOUT_MS = 300_000;
const TEST_TIMEOUT_MS = 120_000;

let registry;
/** Why the Docker tests cannot run here (only ever set outside CI: under CI=true it is an error). */
let unavailable = null;

function nodeBinary() {
  try {
    return resolveNode24().path;
  } catch {
    return process.execPath;
  }
}
const NODE = nodeBinary();

let stopDocker;
before(async () => {
  ({ registry, unavailable, stop: stopDocker } = await startDockerAndRegistry());
});

after(async () => {
  await stopDocker?.();
});

const lines = (text) => (text ?? '').split('\n').filter(Boolean);

/** The stand-in, its proxyEndpoint the registry (when there is one), closed with the test. */
async function startApi(t) {
  const accounts = registry
    ? [
        {
          accountId: ACCOUNT,
          region: REGION,
          proxyEndpoint: `http://${registry.host}`,
          password: registry.password,
        },
      ]
    : [];
  const api = await startEcrApi({ accounts });
  t.after(() => api.close());
  return api;
}

function git(job, args) {
  return run('git', args, {
    cwd: job.checkout,
    timeoutMs: GIT_TIMEOUT_MS,
    env: {
      PATH: process.env.PATH,
      HOME: job.home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Octo Cat',
      GIT_AUTHOR_EMAIL: 'octo@example.com',
      GIT_COMMITTER_NAME: 'Octo Cat',
      GIT_COMMITTER_EMAIL: 'octo@example.com',
      GIT_AUTHOR_DATE: COMMIT_DATE,
      GIT_COMMITTER_DATE: COMMIT_DATE,
    },
  });
}

async function gitOk(job, args) {
  const result = await git(job, args);
  assert.equal(result.code, 0, `git ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout.trim();
}

/**
 * A job: HOME, DOCKER_CONFIG and TMPDIR of its own (so anything the CLI leaves behind is seen), and a git
 * checkout of examples/app on branch main with one commit and origin on GitHub. hello.txt is the test's
 * own, so its image is not any other test's. Removed with the test.
 */
async function createJob(t, { api } = {}) {
  const root = await tempDir('cli');
  t.after(() => rm(root, { recursive: true, force: true }));
  const job = {
    root,
    api,
    home: path.join(root, 'home'),
    dockerConfig: path.join(root, 'docker-config'),
    tmp: path.join(root, 'tmp'),
    checkout: path.join(root, 'checkout'),
    results: [],
  };
  for (const dir of [job.home, job.dockerConfig, job.tmp, job.checkout])
    await mkdir(dir, { recursive: true });
  await copyFile(path.join(APP_DIR, 'Dockerfile'), path.join(job.checkout, 'Dockerfile'));
  await writeFile(
    path.join(job.checkout, 'hello.txt'),
    `Hello from ${t.name} ${randomBytes(8).toString('hex')}\n`,
  );
  await gitOk(job, ['init', '--quiet', '--initial-branch=main']);
  await gitOk(job, ['add', 'Dockerfile', 'hello.txt']);
  await gitOk(job, ['commit', '--quiet', '--no-gpg-sign', '--message', 'The app']);
  await gitOk(job, ['remote', 'add', 'origin', ORIGIN]);
  job.head = await gitOk(job, ['rev-parse', 'HEAD']);
  job.sha = `sha-${job.head.slice(0, 7)}`;
  return job;
}

/** A clean environment: PATH, the job's HOME/DOCKER_CONFIG/TMPDIR, fake credentials and the stand-in. */
function cliEnv(job, overrides = {}) {
  const env = {
    PATH: process.env.PATH,
    HOME: job.home,
    DOCKER_CONFIG: job.dockerConfig,
    TMPDIR: job.tmp,
    ...FAKE_CREDENTIALS,
    AWS_REGION: REGION,
    ...(job.api ? { AWS_ENDPOINT_URL_ECR: job.api.url } : {}),
    // The daemon, wherever this machine's docker CLI finds it.
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = String(value);
  }
  for (const key of Object.keys(env)) {
    if (key.startsWith('GITHUB_')) throw new Error(`${key} would make the CLI detect GitHub Actions`);
  }
  return env;
}

/** Runs `ecr-push ...args` in the job's checkout (bounded); every result is kept for the leak scan. */
async function cli(job, args, { env = {}, cwd = job.checkout } = {}) {
  const result = await run(NODE, [CLI_ENTRY, ...args], {
    env: cliEnv(job, env),
    cwd,
    timeoutMs: CLI_TIMEOUT_MS,
  });
  const done = { ...result, args };
  job.results.push(done);
  return done;
}

function describeRun(result) {
  return [
    `ecr-push ${result.args.join(' ')} exited ${result.code}${result.timedOut ? ' after timing out' : ''}`,
    `--- stdout ---\n${result.stdout.trimEnd()}`,
    `--- stderr ---\n${result.stderr.trimEnd()}`,
  ].join('\n');
}

function assertExit(result, code) {
  assert.equal(result.code, code, describeRun(result));
}

/** What a log must never show: the registry password, its docker auth, the AWS secret, any token issued. */
function secretsOf(api) {
  const secrets = new Set([FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY, ...(api?.issuedSecrets() ?? [])]);
  if (registry) {
    secrets.add(registry.password);
    secrets.add(authToken(registry.password));
  }
  return [...secrets];
}

/** No secret in any output of the job's runs; the message names the run and stream, never the secret. */
function assertNoLeaks(job) {
  const secrets = secretsOf(job.api);
  const leaks = [];
  for (const result of job.results) {
    for (const stream of ['stdout', 'stderr']) {
      secrets.forEach((secret, index) => {
        if (result[stream].includes(secret))
          leaks.push(`ecr-push ${result.args[0]} ${stream}: secret #${index}`);
      });
    }
  }
  assert.deepEqual(leaks, [], 'a password, token or key reached the output');
}

/** Files under `dir` holding any secret (paths relative to dir). */
async function filesHoldingSecrets(dir, secrets) {
  const found = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const text = await readFile(file, 'utf8');
    if (secrets.some((secret) => text.includes(secret))) found.push(path.relative(dir, file));
  }
  return found;
}

/** The docker config in `dir`, or null when there is none. */
function readConfig(dir) {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return null;
  return { json: JSON.parse(readFileSync(file, 'utf8')), mode: statSync(file).mode & 0o777 };
}

function assertLoggedOut(dir, host) {
  const config = readConfig(dir);
  assert.ok(!config?.json.auths?.[host], `${dir}/config.json still holds an auths entry for ${host}`);
  assert.ok(
    !config?.json.credHelpers?.[host],
    `${dir}/config.json still names a credential helper for ${host}`,
  );
}

/** The plain-text log: no workflow command left. */
function assertPlainLog(text) {
  const commands = lines(text).filter((line) => /^::[a-z-]+( [^:]*)?::/.test(line));
  assert.deepEqual(commands, [], 'workflow commands reached the plain-text log');
}

function parseJson(result) {
  try {
    return JSON.parse(result.stdout);
  } catch (err) {
    assert.fail(`stdout is not JSON alone (${err.message}):\n${describeRun(result)}`);
  }
}

const travisEnv = (job) => ({
  CI: 'true',
  TRAVIS: 'true',
  TRAVIS_COMMIT: job.head,
  TRAVIS_BRANCH: 'main',
  TRAVIS_PULL_REQUEST: 'false',
  TRAVIS_REPO_SLUG: 'octo/app',
  TRAVIS_BUILD_NUMBER: '12',
});

const gitlabEnv = (job) => ({
  CI: 'true',
  GITLAB_CI: 'true',
  CI_COMMIT_SHA: job.head,
  CI_COMMIT_BRANCH: 'main',
  CI_PROJECT_PATH: 'octo/app',
});

test(
  'push in Travis CI --json: the result alone on stdout, the image in the registry, logged out after',
  { timeout: DOCKER_TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const api = await startApi(t);
    const job = await createJob(t, { api });
    const repository = 'team/app';
    const references = [`${registry.host}/${repository}:${job.sha}`, `${registry.host}/${repository}:main`];
    t.after(() => removeImages(...references));
    // The user's own login elsewhere, which the push must leave as it is.
    const otherAuth = {
      auths: { 'registry.example.com': { auth: Buffer.from('me:mine').toString('base64') } },
    };
    await writeFile(path.join(job.dockerConfig, 'config.json'), JSON.stringify(otherAuth, null, 2), {
      mode: 0o600,
    });

    const result = await cli(
      job,
      ['push', '--registries', ACCOUNT, '--repository', repository, '--create-repository', '--json'],
      { env: travisEnv(job) },
    );
    assertExit(result, 0);
    const { outputs } = parseJson(result);
    assert.equal(outputs.pushed, 'true');
    assert.equal(outputs.image, references[0]);
    assert.deepEqual(lines(outputs.images).sort(), [...references].sort());
    assert.equal(outputs['repository-created'], 'true');
    assert.match(outputs.digest, /^sha256:[0-9a-f]{64}$/);

    // The registry's word for it: both tags, one image, the OCI labels of the commit.
    const digests = await tagDigests(registry, repository);
    assert.deepEqual(Object.keys(digests).sort(), ['main', job.sha].sort());
    assert.equal(digests.main, outputs.digest);
    assert.equal(digests[job.sha], outputs.digest);
    const labels = await getLabels(registry, repository, job.sha);
    assert.equal(labels['org.opencontainers.image.revision'], job.head);
    assert.equal(labels['org.opencontainers.image.source'], SOURCE);
    assert.equal(labels['org.opencontainers.image.created'], CREATED);
    assert.equal(api.callsOf('CreateRepository').length, 1);

    // Logged out at the end; the user's other login untouched.
    assertLoggedOut(job.dockerConfig, registry.host);
    assert.deepEqual(readConfig(job.dockerConfig)?.json.auths, otherAuth.auths);

    // The log: plain text on stderr, the stages visible, nothing on stdout but the JSON.
    assertPlainLog(result.stderr);
    assert.match(result.stderr, /^== Build$/m);
    assert.match(result.stderr, /^CI system: travis$/m);
    assert.doesNotMatch(result.stdout, /^== /m);

    // Nothing left behind: the step directories and the undo file are gone, and no file holds a secret.
    assert.deepEqual(await readdir(job.tmp), [], 'the CLI left files in TMPDIR');
    assert.deepEqual(await filesHoldingSecrets(job.root, secretsOf(api)), []);
    assertNoLeaks(job);
  },
);

test(
  'login and logout with --docker-config in GitLab CI: docker pushes with the config in between',
  { timeout: DOCKER_TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const api = await startApi(t);
    const job = await createJob(t, { api });
    const dir = path.join(job.root, 'login-config');
    const env = gitlabEnv(job);

    const login = await cli(job, ['login', '--registries', ACCOUNT, '--docker-config', dir], { env });
    assertExit(login, 0);
    assertPlainLog(login.stdout);
    assert.match(login.stdout, /^CI system: gitlab$/m);
    assert.match(login.stdout, new RegExp(`^registry: ${registry.host.replaceAll('.', '\\.')}$`, 'm'));
    const config = readConfig(dir);
    assert.ok(config, `login wrote no ${dir}/config.json:\n${describeRun(login)}`);
    assert.equal(config.mode, 0o600, 'config.json is not 0600');
    assert.ok(
      config.json.auths?.[registry.host]?.auth === authToken(registry.password),
      `config.json has no auth for ${registry.host} made of the registry's password`,
    );
    const stateFile = path.join(dir, 'ecr-push-state.json');
    assert.ok(existsSync(stateFile), 'login left no ecr-push-state.json beside the config');
    assert.equal(statSync(stateFile).mode & 0o777, 0o600, 'ecr-push-state.json is not 0600');
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    assert.deepEqual(await filesHoldingSecrets(dir, secretsOf(api)), ['config.json']);
    // The default config was not touched: login went where it was told.
    assert.equal(readConfig(job.dockerConfig), null);

    // A user's own docker command uses the login.
    const tag = `${registry.host}/team/login:${job.sha}`;
    t.after(() => removeImages(tag));
    await buildScratchImage(tag);
    const pushed = await docker(['push', tag], { env: { DOCKER_CONFIG: dir } });
    assert.equal(pushed.code, 0, `docker push with the login's config failed:\n${pushed.stderr}`);
    assert.deepEqual(await listTags(registry, 'team/login'), [job.sha]);

    const logout = await cli(job, ['logout', '--docker-config', dir], { env });
    assertExit(logout, 0);
    assertPlainLog(logout.stdout);
    assertLoggedOut(dir, registry.host);
    assert.ok(!existsSync(stateFile), 'logout left ecr-push-state.json');
    if (state.undoFile) assert.ok(!existsSync(state.undoFile), `logout left its undo file ${state.undoFile}`);
    assert.deepEqual(await filesHoldingSecrets(job.root, secretsOf(api)), []);
    // docker no longer has the credentials.
    const denied = await docker(['push', tag], { env: { DOCKER_CONFIG: dir } });
    assert.notEqual(denied.code, 0, 'docker push still worked after logout');

    const again = await cli(job, ['logout', '--docker-config', dir], { env });
    assertExit(again, 0);
    assert.match(again.stdout, /Nothing to log out of/);
    assert.deepEqual(await readdir(job.tmp), [], 'the CLI left files in TMPDIR');
    assertNoLeaks(job);
  },
);

/** `tags` cases: the CI system is only its variables; the checkout is HEAD on main either way. */
const TAG_CASES = [
  {
    name: 'a plain git checkout (no CI variables)',
    env: () => ({}),
    args: [],
    system: 'git',
    tags: (job) => [job.sha, 'main'],
    source: SOURCE,
  },
  {
    name: 'Bitbucket Pipelines, a pull request with --tags type=pr',
    env: (job) => ({
      CI: 'true',
      BITBUCKET_BUILD_NUMBER: '7',
      BITBUCKET_COMMIT: job.head,
      BITBUCKET_BRANCH: 'feature/login',
      BITBUCKET_PR_ID: '42',
      BITBUCKET_PR_DESTINATION_BRANCH: 'main',
      BITBUCKET_REPO_FULL_NAME: 'octo/app',
    }),
    args: ['--tags', 'type=pr', '--tags', 'type=sha'],
    system: 'bitbucket',
    tags: (job) => ['pr-42', job.sha],
    source: 'https://bitbucket.org/octo/app',
  },
  {
    name: 'Bitbucket Pipelines, a branch build with the default rules',
    env: (job) => ({
      CI: 'true',
      BITBUCKET_BUILD_NUMBER: '8',
      BITBUCKET_COMMIT: job.head,
      BITBUCKET_BRANCH: 'feature/login',
      BITBUCKET_REPO_FULL_NAME: 'octo/app',
    }),
    args: [],
    system: 'bitbucket',
    tags: (job) => [job.sha, 'feature-login'],
    source: 'https://bitbucket.org/octo/app',
  },
  {
    name: 'CircleCI, a pull request with --tags type=pr',
    env: (job) => ({
      CI: 'true',
      CIRCLECI: 'true',
      CIRCLE_SHA1: job.head,
      CIRCLE_BRANCH: 'feature/login',
      CIRCLE_PULL_REQUEST: 'https://github.com/octo/app/pull/17',
      CIRCLE_PROJECT_USERNAME: 'octo',
      CIRCLE_PROJECT_REPONAME: 'app',
      CIRCLE_BUILD_NUM: '99',
    }),
    args: ['--tags', 'type=pr'],
    system: 'circleci',
    tags: () => ['pr-17'],
    source: SOURCE,
  },
  {
    name: 'Travis variables with --ci git: the checkout decides',
    env: (job) => ({ ...travisEnv(job), TRAVIS_BRANCH: 'release' }),
    args: ['--ci', 'git'],
    system: 'git',
    tags: (job) => [job.sha, 'main'],
    source: SOURCE,
  },
];

for (const tagCase of TAG_CASES) {
  test(`tags --json in ${tagCase.name}: no AWS call`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const api = await startApi(t);
    const job = await createJob(t, { api });
    const result = await cli(job, ['tags', '--repository', 'team/app', ...tagCase.args, '--json'], {
      env: tagCase.env(job),
    });
    assertExit(result, 0);
    const tags = tagCase.tags(job);
    const parsed = parseJson(result);
    assert.deepEqual(parsed.tags, tags);
    assert.deepEqual(
      parsed.references,
      tags.map((tag) => `team/app:${tag}`),
    );
    assert.equal(parsed.labels['org.opencontainers.image.revision'], job.head);
    assert.equal(parsed.labels['org.opencontainers.image.source'], tagCase.source);
    assert.equal(parsed.labels['org.opencontainers.image.created'], CREATED);
    assert.equal(parsed.context.sha, job.head);
    assert.match(result.stderr, new RegExp(`^CI system: ${tagCase.system}$`, 'm'));
    assert.deepEqual(api.calls, [], 'tags made an AWS call');
    assertNoLeaks(job);
  });
}

test(
  'tags as text, with a registry hostname: the references and labels, one per line',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const api = await startApi(t);
    const job = await createJob(t, { api });
    const host = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
    const result = await cli(job, ['tags', '--repository', 'team/app', '--registries', host]);
    assertExit(result, 0);
    assertPlainLog(result.stdout);
    const out = lines(result.stdout);
    assert.ok(out.includes(`Tags: ${job.sha}, main`), describeRun(result));
    assert.ok(out.includes(`  ${host}/team/app:${job.sha}`), describeRun(result));
    assert.ok(out.includes(`Label org.opencontainers.image.revision=${job.head}`), describeRun(result));
    assert.deepEqual(api.calls, []);
  },
);

test(
  'iam-policy: the least-privilege policy as JSON, without credentials or an AWS call',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const api = await startApi(t);
    const job = await createJob(t, { api });
    const args = [
      'iam-policy',
      '--registries',
      ACCOUNT,
      '--region',
      REGION,
      '--repository',
      'team/app',
      '--create-repository',
    ];
    const noCredentials = {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_REGION: undefined,
    };
    const text = await cli(job, args, { env: noCredentials });
    assertExit(text, 0);
    const policy = parseJson(text);
    assert.equal(policy.Version, '2012-10-17');
    const arn = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/app`;
    const statementFor = (action) =>
      policy.Statement.find((statement) => [statement.Action].flat().includes(action));
    assert.deepEqual([statementFor('ecr:CreateRepository')?.Resource].flat(), [arn]);
    assert.deepEqual([statementFor('ecr:PutImage')?.Resource].flat(), [arn]);
    assert.deepEqual([statementFor('ecr:GetAuthorizationToken')?.Resource].flat(), ['*']);
    for (const statement of policy.Statement) assert.equal(statement.Effect, 'Allow');

    const json = await cli(job, [...args, '--json'], { env: noCredentials });
    assertExit(json, 0);
    assert.deepEqual(parseJson(json), { policy });
    assert.deepEqual(api.calls, [], 'iam-policy made an AWS call');
  },
);

test(
  'usage errors: exit 2 with one line naming the problem, before any AWS call',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const api = await startApi(t);
    const job = await createJob(t, { api });
    const cases = [
      [['push', '--repository', 'team/app', '--no-such-option', 'x'], /--no-such-option/],
      [['deploy'], /'deploy'.*login, logout, tags, push, iam-policy/],
      [['login', 'push'], /one command only/],
      [['push', '--repository'], /'repository'.*needs a value/],
      [['tags', '--ci', 'jenkins'], /'jenkins'.*github, gitlab, travis, bitbucket, circleci, codeship, git/],
      [['login', '--build'], /login only logs in/],
      [['tags', '--tags', 'type=nonsense'], /tags/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(job, args);
      assertExit(result, 2);
      const errorLines = lines(result.stderr).filter((line) => /^(ecr-push|error):/.test(line));
      assert.equal(errorLines.length, 1, describeRun(result));
      assert.match(errorLines[0], message, describeRun(result));
      assert.equal(result.stdout.includes('Usage:'), false, 'a usage error printed the whole help');
    }
    assert.deepEqual(api.calls, []);
    assert.equal(readConfig(job.dockerConfig), null);
  },
);

test('--help and --version: exit 0 on stdout', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const job = await createJob(t);
  const help = await cli(job, ['--help']);
  assertExit(help, 0);
  assert.match(help.stdout, /^Usage: ecr-push <command>/);
  assert.match(help.stdout, /\[ECR_PUSH_REPOSITORY\]/);
  assert.equal(help.stderr, '');
  const none = await cli(job, []);
  assertExit(none, 0);
  assert.equal(none.stdout, help.stdout);
  const version = await cli(job, ['--version']);
  assertExit(version, 0);
  assert.equal(version.stdout, `${VERSION}\n`);
});

test(
  'push without --repository: exit 2 naming repository, before any AWS call',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const api = await startApi(t);
    const job = await createJob(t, { api });
    const result = await cli(job, ['push', '--registries', ACCOUNT, '--json'], { env: travisEnv(job) });
    assertExit(result, 2);
    assert.equal(result.stdout, '');
    const errorLines = lines(result.stderr).filter((line) => line.startsWith('error:'));
    assert.equal(errorLines.length, 1, describeRun(result));
    assert.match(errorLines[0], /'repository'/);
    assert.deepEqual(api.calls, []);
    assert.equal(readConfig(job.dockerConfig), null);
    assert.deepEqual(await readdir(job.tmp), [], 'the CLI left files in TMPDIR');
  },
);

test(
  'a push whose build fails: exit 1, and the post step still logged out',
  { timeout: DOCKER_TEST_TIMEOUT_MS },
  async (t) => {
    if (unavailable) return t.skip(unavailable);
    const api = await startApi(t);
    const job = await createJob(t, { api });
    const repository = 'team/broken';
    t.after(() =>
      removeImages(`${registry.host}/${repository}:${job.sha}`, `${registry.host}/${repository}:main`),
    );
    await appendFile(path.join(job.checkout, 'Dockerfile'), 'RUN-THIS-IS-NOT-AN-INSTRUCTION\n');

    const result = await cli(
      job,
      ['push', '--registries', ACCOUNT, '--repository', repository, '--create-repository', '--json'],
      { env: travisEnv(job) },
    );
    assertExit(result, 1);
    assert.equal(result.stdout, '', 'a failed push printed a result');
    // It got as far as the build: logged in, then docker refused the Dockerfile.
    assert.equal(api.callsOf('GetAuthorizationToken').length, 1, describeRun(result));
    assert.match(result.stderr, /^== Build$/m);
    const errorLines = lines(result.stderr).filter((line) => line.startsWith('error:'));
    assert.equal(errorLines.length, 1, describeRun(result));
    assert.match(errorLines[0], /docker build/);
    assertPlainLog(result.stderr);
    // The post step ran: the credentials are gone, nothing is left behind, nothing was pushed.
    assert.match(result.stderr, /^Logged out of /m);
    assertLoggedOut(job.dockerConfig, registry.host);
    assert.deepEqual(await readdir(job.tmp), [], 'the CLI left files in TMPDIR');
    assert.deepEqual(await listTags(registry, repository), []);
    assert.deepEqual(await filesHoldingSecrets(job.root, secretsOf(api)), []);
    assertNoLeaks(job);
  },
);
