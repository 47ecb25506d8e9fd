// Hostile values through a real build and push (issue #6 item 5): branch names, git tags, labels and
// build args holding $(), backticks, `;`, `|`, `&&` and `--options` must reach docker only as the value
// part of one flag-joined argument (`--label=KEY=VALUE`, `--build-arg=NAME=VALUE`, `--tag=REF`), never
// run, never become an option of their own. A `docker` shim first on PATH records the argument vector
// docker really received; the registry shows what was built and pushed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test as nodeTest } from 'node:test';
import { authToken, start as startEcrApi } from './support/ecr-api.mjs';
import { createDockerShim } from './support/docker-shim.mjs';
import { removeImages } from './support/docker.mjs';
import { BUILDER, named, startBuilder } from './support/builders.mjs';
import { formatTable } from './support/reliability.mjs';
import { getLabels, listTags, startRegistry } from './support/registry.mjs';
import { FAKE_CREDENTIALS, createWorkdir, describeStep, findLeaks, runAction } from './support/runner.mjs';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const PWNED = `ecr-e2e-pwned-${randomBytes(6).toString('hex')}`;
/** A file a payload would create if anything ran it: none may exist after any step. */
const pwned = (n) => path.join(os.tmpdir(), `${PWNED}-${n}`);
/** Where an injected `--output=type=local,dest=...` would write the image's files. */
const OUTPUT_DEST = path.join(os.tmpdir(), `${PWNED}-output`);
/** The flags the action may put in front of a value; a user value never stands on its own. */
const JOINED_FLAGS = [
  '--build-arg=',
  '--label=',
  '--tag=',
  '--iidfile=',
  '--file=',
  '--target=',
  '--format=',
];
/**
 * The options the step itself sets, whole, with no user value in them (buildx only): what it does with
 * the result and where buildx writes its metadata. Anything else option-like must be a joined flag above.
 */
const OWN_OPTIONS = ['--provenance=false', '--push', '--load'];
const OWN_PREFIXES = ['--metadata-file='];
/** docker subcommands the flow runs (and `--version`, the check that docker is there before the login). */
const SUBCOMMANDS = ['buildx', 'build', 'push', 'tag', 'image', 'info', '--version'];
/** This file also runs as security-build-hostile.buildx.test.mjs: each test's name says under which builder. */
const test = (name, ...rest) => nodeTest(named(name), ...rest);
/** The build call's arguments after `build` (classic) or `buildx build`. */
const buildArgvOf = (argv) => (argv[0] === 'buildx' ? argv.slice(1) : argv);
const isBuild = (argv) => argv[0] === 'build' || (argv[0] === 'buildx' && argv[1] === 'build');

// Branch names as git accepts them under refs/heads/ (checked below with git check-ref-format): no
// spaces, so ${IFS} stands in for one where a payload needs it.
const HOSTILE_BRANCHES = [
  `$(touch\${IFS}${pwned(1)})`,
  `\`touch\${IFS}${pwned(2)}\``,
  `x;touch\${IFS}${pwned(3)};y`,
  `x|touch\${IFS}${pwned(4)}`,
  `x&&touch\${IFS}${pwned(5)}`,
  '--privileged',
  '-tevil',
  '--tag=evil',
  '--label=evil=1',
  `--output=type=local,dest=${OUTPUT_DEST}`,
  'feature/--network=host',
];

const HOSTILE_GIT_TAGS = [
  `v1.2.3;touch\${IFS}${pwned(6)}`,
  '--build-arg=EVIL=1',
  `v2.0.0$(touch\${IFS}${pwned(7)})`,
];

const HOSTILE_LABELS = [
  ['org.example.subst', `$(touch ${pwned(8)})`],
  ['org.example.backtick', `\`touch ${pwned(9)}\``],
  ['org.example.chain', `a; touch ${pwned(10)} | cat && rm -rf ~`],
  ['org.example.file', '--file=/etc/passwd'],
  ['org.example.output', `--output=type=local,dest=${OUTPUT_DEST}`],
  ['org.example.inject', '--label=evil=1'],
  ['org.example.options', '--privileged --network=host -v /:/host -t evil'],
  ['org.example.quote', `"' \\" $HOME \${HOME} \\`],
];

const HOSTILE_BUILD_ARGS = [
  ['NET', '--network=host'],
  ['SUBST', `$(touch ${pwned(11)})`],
  ['TICK', `\`touch ${pwned(12)}\``],
  ['CHAIN', `a;touch ${pwned(13)}|cat&&echo`],
  ['FILE', '--file=/etc/passwd'],
  ['OUT', `--output=type=local,dest=${OUTPUT_DEST}`],
  ['LBL', '--label=evil=1'],
  ['PRIV', '--privileged'],
];

const OCI_ARGS = [
  'OCI_CREATED',
  'OCI_REVISION',
  'OCI_SOURCE',
  'OCI_URL',
  'OCI_VERSION',
  'OCI_TITLE',
  'OCI_DESCRIPTION',
  'OCI_LICENSES',
  'OCI_REF_NAME',
];

let registry;
let dockerd;
let builderInputs = {};
const figures = { runs: 0, refused: 0, dockerCalls: 0, argvChecked: 0, tagsPushed: 0, labelsRead: 0 };

before(async () => {
  dockerd = await startBuilder();
  builderInputs = dockerd.inputs;
  if (dockerd.available) registry = await startRegistry();
});

after(async () => {
  await registry?.close();
  await dockerd?.stop();
  const left = (await readdir(os.tmpdir())).filter((name) => name.startsWith(PWNED));
  const rows = [
    ['steps run (build: true)', figures.runs],
    ['invalid inputs refused before any docker or AWS call', figures.refused],
    ['docker calls recorded by the shim', figures.dockerCalls],
    ['docker build arguments checked', figures.argvChecked],
    ['tags pushed, all valid tag names', figures.tagsPushed],
    ['labels read back from the registry', figures.labelsRead],
    ['payload files created', left.length],
  ];
  console.log(
    `\n${formatTable('Hostile values through docker build and push', ['check', 'result'], rows)}\n`,
  );
});

const uniqueRepo = (name) => `hostile/${name}-${randomBytes(3).toString('hex')}`;

/** The build-arg labels the test Dockerfile sets: `e2e.arg.<name>` holds the value of build arg NAME. */
const argLabel = (name) => `e2e.arg.${name.toLowerCase()}`;

/**
 * A FROM-scratch context like examples/app (nothing to pull). Each build arg of the test is declared and
 * copied into a label, so what the builder received comes back with the image. The first step is an ARG
 * only this context has: tests run side by side and remove their images, and the classic builder must
 * never take a cached step another test is deleting as its parent.
 */
async function writeContext(dir, buildArgs = []) {
  await mkdir(dir, { recursive: true });
  const nonce = randomBytes(8).toString('hex');
  const lines = ['FROM scratch', `ARG E2E_NONCE_${nonce}`, `ARG ${OCI_ARGS.join(' ')}`];
  for (const [name] of buildArgs) lines.push(`ARG ${name}`, `LABEL ${argLabel(name)}="$${name}"`);
  lines.push('COPY hello.txt /hello.txt', '');
  await writeFile(path.join(dir, 'Dockerfile'), lines.join('\n'));
  await writeFile(path.join(dir, 'hello.txt'), `hello ${nonce}\n`);
}

/** A stand-in whose account's registry is the real one, a job directory and a docker shim. */
async function setup(t) {
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
  const shim = await createDockerShim();
  t.after(async () => {
    // Every reference docker was asked to tag, whatever the step's outcome.
    const tagged = shim
      .calls()
      .filter((call) => isBuild(call.argv))
      .flatMap((call) => call.argv.filter((arg) => arg.startsWith('--tag=')).map((arg) => arg.slice(6)));
    await removeImages(...new Set(tagged));
    await api.close();
    await workdir.remove();
    await shim.remove();
  });
  return { api, workdir, shim };
}

async function runBuild(t, { env = {}, inputs = {}, buildArgs = [], context } = {}) {
  const { api, workdir, shim } = await setup(t);
  await writeContext(context ? path.join(workdir.workspace, context) : workdir.workspace, buildArgs);
  const repository = uniqueRepo('app');
  const main = await runAction({
    workdir,
    api,
    env: { ...env, ...shim.env() },
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      'docker-config': 'isolated',
      repository,
      'create-repository': 'true',
      build: 'true',
      ...builderInputs,
      ...(buildArgs.length > 0 ? { 'build-args': buildArgs.map(([n, v]) => `${n}=${v}`).join('\n') } : {}),
      ...(context ? { context } : {}),
      ...inputs,
    },
  });
  figures.runs += 1;
  return { main, api, workdir, shim, repository };
}

function assertNothingRan() {
  for (let n = 1; n <= 13; n += 1) assert.equal(existsSync(pwned(n)), false, `${pwned(n)} was created`);
  assert.equal(existsSync(OUTPUT_DEST), false, `${OUTPUT_DEST} was written: an --output was injected`);
}

/** `outputs.labels` as an object: one `key=value` per line, the value being everything after the first `=`. */
function labelsOutput(main) {
  return Object.fromEntries(
    main.outputs.labels
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * What docker received: one `docker build` whose every argument but the last is one flag joined to its
 * value, exactly the labels, build args and tags the step resolved and nothing else, the absolute context
 * last; one `docker push <reference>` per tag; no other argument anywhere that looks like an option.
 */
function assertArgv(shim, main, { workspace, contextDir, userBuildArgs, file }) {
  const calls = shim.calls();
  figures.dockerCalls += calls.length;
  for (const { argv } of calls) {
    assert.ok(SUBCOMMANDS.includes(argv[0]), `unexpected docker subcommand: ${JSON.stringify(argv)}`);
    for (const arg of argv.slice(1)) {
      if (!arg.startsWith('-')) continue;
      const own =
        argv[0] === 'buildx' &&
        (OWN_OPTIONS.includes(arg) || OWN_PREFIXES.some((prefix) => arg.startsWith(prefix)));
      assert.ok(
        own || JOINED_FLAGS.some((flag) => arg.startsWith(flag)),
        `an option docker would read on its own: ${JSON.stringify(arg)} in ${JSON.stringify(argv)}`,
      );
    }
  }
  const builds = calls.filter((call) => isBuild(call.argv));
  assert.equal(builds.length, 1, `one docker build: ${JSON.stringify(calls.map((c) => c.argv[0]))}`);
  const argv = buildArgvOf(builds[0].argv);
  const context = argv.at(-1);
  assert.ok(path.isAbsolute(context), `the context is an absolute path: ${JSON.stringify(context)}`);
  assert.equal(context, contextDir, 'the context is last, resolved against the workspace');
  assert.ok(context.startsWith(workspace), 'the context is inside the workspace');

  const labels = labelsOutput(main);
  const ociArgs = Object.fromEntries(
    main.outputs['build-args']
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const references = main.outputs.tags.split('\n');
  const expected = [
    ...Object.entries(ociArgs).map(([name, value]) => `--build-arg=${name}=${value}`),
    ...userBuildArgs.map(([name, value]) => `--build-arg=${name}=${value}`),
    ...Object.entries(labels).map(([key, value]) => `--label=${key}=${value}`),
    ...references.map((reference) => `--tag=${reference}`),
  ];
  const middle = argv.slice(1, -1);
  const iid = middle.filter((arg) => arg.startsWith('--iidfile='));
  assert.equal(iid.length, 1, 'one --iidfile');
  assert.ok(path.isAbsolute(iid[0].slice('--iidfile='.length)), 'the iid file is an absolute path');
  assert.deepEqual(
    middle.filter((arg) => arg.startsWith('--file=')),
    file === undefined ? [] : [`--file=${file}`],
    'the Dockerfile, when named, is one --file=<absolute path> argument',
  );
  const rest = middle.filter(
    (arg) =>
      !arg.startsWith('--iidfile=') &&
      !arg.startsWith('--file=') &&
      !OWN_PREFIXES.some((prefix) => arg.startsWith(prefix)),
  );
  const own = BUILDER === 'buildx' ? ['--provenance=false', '--push'] : [];
  assert.deepEqual(
    [...rest].sort(),
    [...expected, ...own].sort(),
    'docker build got exactly the resolved values',
  );
  figures.argvChecked += argv.length;

  const pushes = calls.filter((call) => call.argv[0] === 'push').map((call) => call.argv);
  assert.deepEqual(
    pushes,
    BUILDER === 'buildx' ? [] : references.map((reference) => ['push', reference]),
    BUILDER === 'buildx' ? 'buildx pushes every tag itself' : 'one docker push <reference> per tag',
  );
  return { argv, labels };
}

/** The registry holds exactly the resolved tags, all valid names, with exactly the labels of the output. */
async function assertPushed(main, repository, extraLabels = {}) {
  const names = main.outputs['tag-names'].split('\n');
  for (const name of names) assert.match(name, TAG, `tag ${JSON.stringify(name)}`);
  const tags = await listTags(registry, repository);
  assert.deepEqual([...tags].sort(), [...names].sort(), 'the registry holds exactly the resolved tags');
  figures.tagsPushed += tags.length;
  const labels = await getLabels(registry, repository, names[0]);
  assert.deepEqual(labels, { ...labelsOutput(main), ...extraLabels }, 'the image holds exactly these labels');
  figures.labelsRead += Object.keys(labels).length;
  assert.equal(main.outputs.pushed, 'true');
  return labels;
}

/** No registry password or docker auth value in any argument docker got, nor in what the step left. */
async function assertNoSecretsInArgv(main, api, shim) {
  const secrets = [
    registry.password,
    authToken(registry.password),
    ...api.issuedSecrets(),
    FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  ];
  const argvLog = {
    step: 'docker',
    visibleLog: await readFile(shim.logFile, 'utf8'),
    stderr: '',
    rawFiles: {},
  };
  assert.deepEqual(
    findLeaks([argvLog, main], secrets),
    [],
    'a password or auth value reached docker argv or the log',
  );
}

async function assertBuiltInert(run, { userBuildArgs = [], contextDir, file, extraLabels } = {}) {
  const { main, api, workdir, shim, repository } = run;
  assert.equal(main.code, 0, describeStep(main));
  assert.deepEqual(main.errors, []);
  assertNothingRan();
  const { argv, labels } = assertArgv(shim, main, {
    workspace: workdir.workspace,
    contextDir: contextDir ?? workdir.workspace,
    userBuildArgs,
    file,
  });
  const argLabels =
    extraLabels ?? Object.fromEntries(userBuildArgs.map(([name, value]) => [argLabel(name), value]));
  const stored = await assertPushed(main, repository, argLabels);
  assert.equal(stored.evil, undefined, 'no label smuggled in as an option');
  await assertNoSecretsInArgv(main, api, shim);
  return { argv, labels, stored };
}

function assertHostileRefsValid(kind, names) {
  for (const name of names) {
    const check = spawnSync('git', ['check-ref-format', `refs/${kind}/${name}`], { timeout: 10_000 });
    assert.equal(check.status, 0, `git rejects refs/${kind}/${name}`);
  }
}

/** Exit 1 with one one-line ::error::, and nothing built, tagged, pushed or asked of AWS. */
function assertRefusedCleanly({ main, api, shim }, pattern) {
  assert.equal(main.code, 1, describeStep(main));
  assert.equal(main.errors.length, 1, describeStep(main));
  assert.ok(!/[\r\n]/.test(main.errors[0]), `one line: ${JSON.stringify(main.errors[0])}`);
  assert.match(main.errors[0], pattern);
  assert.deepEqual(
    shim.calls().filter((call) => isBuild(call.argv) || ['push', 'tag'].includes(call.argv[0])),
    [],
    'no docker build, tag or push',
  );
  assert.deepEqual(api.calls, [], 'no AWS call');
  assertNothingRan();
  figures.refused += 1;
}

test('test data: every hostile branch and tag is a valid git ref', () => {
  assertHostileRefsValid('heads', HOSTILE_BRANCHES);
  assertHostileRefsValid('tags', HOSTILE_GIT_TAGS);
});

describe(named('hostile branch names, built and pushed'), { concurrency: 4 }, () => {
  for (const branch of HOSTILE_BRANCHES) {
    test(JSON.stringify(branch).slice(0, 70), async (t) => {
      if (!dockerd.available) return t.skip(dockerd.reason);
      const run = await runBuild(t, {
        env: { GITHUB_REF: `refs/heads/${branch}`, GITHUB_REF_NAME: branch, GITHUB_REF_TYPE: 'branch' },
        inputs: { tags: 'type=sha\ntype=branch\ntype=raw,value={{branch}}-{{sha}}' },
      });
      await assertBuiltInert(run);
      const names = run.main.outputs['tag-names'].split('\n');
      assert.ok(names.includes('sha-0123456'), names.join(', '));
    });
  }
});

describe(named('hostile git tags, built and pushed'), { concurrency: 3 }, () => {
  for (const tag of HOSTILE_GIT_TAGS) {
    test(JSON.stringify(tag).slice(0, 70), async (t) => {
      if (!dockerd.available) return t.skip(dockerd.reason);
      const run = await runBuild(t, {
        env: { GITHUB_REF: `refs/tags/${tag}`, GITHUB_REF_NAME: tag, GITHUB_REF_TYPE: 'tag' },
        inputs: { tags: 'type=tag\ntype=semver,pattern={{version}}\ntype=raw,value=rel-{{tag}}\ntype=sha' },
      });
      await assertBuiltInert(run);
    });
  }
});

describe(named('hostile labels, build args and paths'), { concurrency: 4 }, () => {
  test('label values reach docker as --label=KEY=VALUE and come back verbatim', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const run = await runBuild(t, {
      inputs: { labels: HOSTILE_LABELS.map(([key, value]) => `${key}=${value}`).join('\n') },
    });
    const { argv, stored } = await assertBuiltInert(run);
    for (const [key, value] of HOSTILE_LABELS) {
      assert.ok(argv.includes(`--label=${key}=${value}`), `--label=${key}=... is one argument`);
      assert.equal(stored[key], value, `${key} kept verbatim in the image`);
    }
  });

  test('build-arg values reach docker as --build-arg=NAME=VALUE and the builder gets them verbatim', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const run = await runBuild(t, { buildArgs: HOSTILE_BUILD_ARGS });
    const { stored } = await assertBuiltInert(run, { userBuildArgs: HOSTILE_BUILD_ARGS });
    for (const [name, value] of HOSTILE_BUILD_ARGS) assert.equal(stored[argLabel(name)], value, name);
  });

  test('a multi-line labels input is separate labels, never an injected option', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const lines = [
      'org.example.first=one --label=evil=1',
      '   org.example.second=--tag=evil:latest  ',
      `org.example.third=$(touch ${pwned(8)})\r`,
      '# org.example.comment=--privileged',
      '',
      'org.example.fourth=-',
    ];
    const run = await runBuild(t, { inputs: { labels: lines.join('\n') } });
    const { argv, stored } = await assertBuiltInert(run);
    const mine = Object.fromEntries(Object.entries(stored).filter(([key]) => key.startsWith('org.example.')));
    assert.deepEqual(mine, {
      'org.example.first': 'one --label=evil=1',
      'org.example.second': '--tag=evil:latest',
      'org.example.third': `$(touch ${pwned(8)})`,
      'org.example.fourth': '-',
    });
    assert.equal(
      argv.filter((arg) => arg.startsWith('--label=org.example.')).length,
      4,
      'four --label arguments',
    );
    assert.ok(!argv.some((arg) => arg.startsWith('--tag=evil')), 'no injected tag');
  });

  test('option-like context directory and Dockerfile name stay absolute paths', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    const context = '--network=host';
    const dockerfile = '-f evil.Dockerfile';
    const { api, workdir, shim } = await setup(t);
    const contextDir = path.join(workdir.workspace, context);
    await writeContext(contextDir);
    await writeFile(
      path.join(workdir.workspace, dockerfile),
      await readFile(path.join(contextDir, 'Dockerfile')),
    );
    const repository = uniqueRepo('paths');
    const main = await runAction({
      workdir,
      api,
      env: shim.env(),
      inputs: {
        registries: ACCOUNT,
        region: REGION,
        'docker-config': 'isolated',
        repository,
        'create-repository': 'true',
        build: 'true',
        ...builderInputs,
        context,
        file: dockerfile,
      },
    });
    figures.runs += 1;
    await assertBuiltInert(
      { main, api, workdir, shim, repository },
      { contextDir, file: path.join(workdir.workspace, dockerfile) },
    );
  });
});

describe(named('invalid hostile inputs fail cleanly before docker or AWS'), { concurrency: 4 }, () => {
  const invalid = [
    {
      name: 'a label key that is an option',
      inputs: { labels: 'org.example.a=1\n--privileged=true' },
      input: 'labels',
    },
    { name: 'a label line without a key', inputs: { labels: '=--network=host' }, input: 'labels' },
    {
      name: 'a build-arg NAME that is an option',
      inputs: { 'build-args': '--network=host' },
      input: 'build-args',
    },
    {
      name: 'a build-arg NAME with a payload',
      inputs: { 'build-args': `A$(touch ${pwned(11)})=1` },
      input: 'build-args',
    },
    {
      name: 'a target that is an option',
      inputs: { target: '--output=type=local,dest=/tmp' },
      input: 'target',
    },
    { name: 'a Dockerfile that is not there', inputs: { file: '--file=/etc/passwd' }, input: 'file' },
  ];
  for (const { name, inputs, input } of invalid) {
    test(name, async (t) => {
      if (!dockerd.available) return t.skip(dockerd.reason);
      assertRefusedCleanly(await runBuild(t, { inputs }), new RegExp(`^Input '${input}'`));
    });
  }

  test('a branch named "-" leaves type=branch nothing to tag with: refused in one line', async (t) => {
    if (!dockerd.available) return t.skip(dockerd.reason);
    assertHostileRefsValid('heads', ['-']);
    const run = await runBuild(t, {
      env: { GITHUB_REF: 'refs/heads/-', GITHUB_REF_NAME: '-', GITHUB_REF_TYPE: 'branch' },
      inputs: { tags: 'type=sha\ntype=branch' },
    });
    assertRefusedCleanly(run, /^Input 'tags': 'type=branch' is not valid; here it gives "-"/);
  });
});
