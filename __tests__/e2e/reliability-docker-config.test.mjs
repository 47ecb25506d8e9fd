// The user's docker config is never damaged: main + post give back the same bytes (credential
// stores included), concurrent jobs on one runner each keep their entries, and a process killed in
// the middle of its write never leaves a truncated config.json, a lock anyone has to wait for, or
// (once the next step has run) a temp file holding a token.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { authToken, start as startEcrApi } from './support/ecr-api.mjs';
import { installCredentialHelper } from './support/cred-helper.mjs';
import { sleep, tempDir } from './support/proc.mjs';
import { exists, formatTable, listFiles, round, spawnStep, waitFor } from './support/reliability.mjs';
import {
  FAKE_CREDENTIALS,
  collectStep,
  createWorkdir,
  describeStep,
  execute,
  findLeaks,
  prepareStep,
  runAction,
  runPost,
} from './support/runner.mjs';

const REGION = 'eu-west-1';
const HELPER = 'e2estore';
const SLOW_WRITE_HOOK = pathToFileURL(path.join(import.meta.dirname, 'support', 'slow-write-hook.mjs')).href;
/** The lock's staleness threshold in src/docker-config/file.ts. */
const STALE_LOCK_MS = 30_000;

const hostOf = (account) => `${account}.dkr.ecr.${REGION}.amazonaws.com`;
const accountId = (prefix, n) => `${prefix}${String(n).padStart(12 - prefix.length, '0')}`;

const figures = [];
after(() => {
  console.log(`\n${formatTable('Docker config integrity', ['check', 'result'], figures)}\n`);
});

/** What a user's config holds besides registry logins: all of it must come back as it was. */
function userConfig({ credsStore, credHelpers = {} } = {}) {
  return {
    auths: {
      'ghcr.io': { auth: Buffer.from('octocat:ghp_notARealToken000').toString('base64') },
      'registry.example:5000': { auth: Buffer.from('ci:x').toString('base64'), email: 'ci@example.com' },
      'https://index.docker.io/v1/': {},
    },
    ...(credsStore ? { credsStore } : {}),
    credHelpers: { 'gcr.io': 'gcloud', ...credHelpers },
    proxies: { default: { httpProxy: 'http://proxy.example:3128', noProxy: '*.internal,127.0.0.1' } },
    psFormat: 'table {{.ID}}\\t{{.Names}}',
    currentContext: 'default',
    'x-vendor-unknown': { nested: [1, 'two', { three: null }], 'unicode-ü': '☃' },
  };
}

function secretsOf(api, extra = []) {
  return [...api.issuedSecrets(), FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY, ...extra];
}

function assertOk(result) {
  assert.equal(result.code, 0, describeStep(result));
}

async function job(t) {
  const workdir = await createWorkdir();
  t.after(() => workdir.remove());
  return workdir;
}

async function standIn(t, options = {}) {
  const api = await startEcrApi(options);
  t.after(() => api.close());
  return api;
}

const LAYOUTS = [
  { name: 'tabs, no final newline (docker)', indent: '\t', newline: '' },
  { name: '2 spaces, final newline', indent: '  ', newline: '\n' },
  { name: '4 spaces, final newline', indent: '    ', newline: '\n' },
];

for (const layout of LAYOUTS) {
  test(`credsStore: main + post round-trip through the helper; config.json untouched (${layout.name})`, async (t) => {
    const api = await standIn(t);
    const workdir = await job(t);
    const helper = await installCredentialHelper(HELPER);
    t.after(() => helper.remove());
    const [first, second] = ['111111111111', '222222222222'];
    const previous = { Username: 'AWS', Secret: 'previous-helper-secret' };
    await helper.seed({
      [hostOf(first)]: previous,
      'other.example': { Username: 'u', Secret: 'other-secret' },
    });
    const storeBefore = await helper.store();

    const dir = path.join(workdir.root, 'docker');
    await mkdir(dir);
    const original = JSON.stringify(userConfig({ credsStore: HELPER }), null, layout.indent) + layout.newline;
    await writeFile(path.join(dir, 'config.json'), original, { mode: 0o600 });

    const main = await runAction({
      workdir,
      api,
      env: { PATH: helper.pathWith() },
      inputs: { registries: `${hostOf(first)}, ${second}`, region: REGION, 'docker-config': dir },
    });
    assertOk(main);
    assert.equal(await readFile(path.join(dir, 'config.json'), 'utf8'), original, 'no auths entry written');
    const during = await helper.store();
    for (const account of [first, second]) {
      const password = api.account(account, REGION).password;
      assert.ok(during[hostOf(account)]?.Secret === password, `helper holds the new password of ${account}`);
    }

    const post = await runPost(main);
    assertOk(post);
    assert.equal(await readFile(path.join(dir, 'config.json'), 'utf8'), original);
    assert.deepEqual(await helper.store(), storeBefore, 'previous helper entry restored, new one erased');
    const calls = await helper.calls();
    assert.ok(
      calls.every((call) => call.argv.length === 1 && call.argv[0] === call.verb),
      'the helper only ever gets its verb as an argument',
    );
    assert.deepEqual(
      calls.map((call) => `${call.verb} ${call.host}`),
      [
        `get ${hostOf(first)}`,
        `store ${hostOf(first)}`,
        `get ${hostOf(second)}`,
        `store ${hostOf(second)}`,
        `store ${hostOf(first)}`,
        `erase ${hostOf(second)}`,
      ],
    );
    assert.deepEqual(await listFiles(dir), ['config.json'], 'no lock or temp file left');
    assert.deepEqual(findLeaks([main, post], secretsOf(api, ['previous-helper-secret'])), []);
    figures.push([`credsStore round trip, ${layout.name}`, 'config.json and helper store unchanged']);
  });

  test(`credHelpers for one host, auths for another: byte-for-byte after post (${layout.name})`, async (t) => {
    const api = await standIn(t);
    const workdir = await job(t);
    const helper = await installCredentialHelper(HELPER);
    t.after(() => helper.remove());
    const [viaHelper, viaFile] = ['333333333333', '444444444444'];
    const dir = path.join(workdir.home, '.docker');
    await mkdir(dir, { recursive: true });
    const existing = userConfig({ credHelpers: { [hostOf(viaHelper)]: HELPER } });
    // A stale login for the host we are about to log in to: post must put it back exactly.
    existing.auths[hostOf(viaFile)] = {
      auth: Buffer.from('AWS:stale').toString('base64'),
      identitytoken: 'x',
    };
    const original = JSON.stringify(existing, null, layout.indent) + layout.newline;
    await writeFile(path.join(dir, 'config.json'), original, { mode: 0o600 });

    const main = await runAction({
      workdir,
      api,
      env: { PATH: helper.pathWith() },
      inputs: { registries: `${hostOf(viaHelper)}\n${hostOf(viaFile)}`, region: REGION },
    });
    assertOk(main);
    const text = await readFile(path.join(dir, 'config.json'), 'utf8');
    const during = JSON.parse(text);
    assert.equal(during.auths[hostOf(viaFile)].auth, authToken(api.account(viaFile, REGION).password));
    assert.equal(during.auths[hostOf(viaHelper)], undefined, 'the helper host is not written to auths');
    const withoutAuths = (config) =>
      Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'auths'));
    assert.deepEqual(withoutAuths(during), withoutAuths(existing), 'every other key kept');
    for (const [host, entry] of Object.entries(existing.auths)) {
      if (host !== hostOf(viaFile)) assert.deepEqual(during.auths[host], entry, `${host} kept`);
    }
    assert.ok(text.startsWith(`{\n${layout.indent}"auths"`), 'indentation kept');
    assert.equal(text.endsWith('\n'), layout.newline === '\n', 'final newline kept as it was');
    const stored = (await helper.store())[hostOf(viaHelper)];
    assert.ok(stored?.Secret === api.account(viaHelper, REGION).password, 'helper got the password');

    const post = await runPost(main);
    assertOk(post);
    assert.equal(await readFile(path.join(dir, 'config.json'), 'utf8'), original);
    assert.deepEqual(await helper.store(), {}, 'helper entry erased');
    assert.deepEqual(await listFiles(dir), ['config.json']);
    assert.deepEqual(await listFiles(workdir.runnerTemp), [], 'undo file removed by post');
    assert.deepEqual(findLeaks([main, post], secretsOf(api)), []);
    figures.push([`credHelpers + auths round trip, ${layout.name}`, 'byte-for-byte']);
  });
}

test('a credential helper that cannot be run: step fails, post restores what was written', async (t) => {
  const api = await standIn(t);
  const workdir = await job(t);
  const [viaHelper, viaFile] = ['555555555555', '666666666666'];
  const dir = path.join(workdir.home, '.docker');
  await mkdir(dir, { recursive: true });
  const original = JSON.stringify(
    userConfig({ credHelpers: { [hostOf(viaHelper)]: 'not-installed' } }),
    null,
    '\t',
  );
  await writeFile(path.join(dir, 'config.json'), original, { mode: 0o600 });

  const main = await runAction({
    workdir,
    api,
    inputs: { registries: `${hostOf(viaFile)},${hostOf(viaHelper)}`, region: REGION },
  });
  assert.equal(main.code, 1, describeStep(main));
  assert.equal(main.errors.length, 1);
  assert.match(main.errors[0], /docker-credential-not-installed could not be run/);
  assert.match(main.errors[0], /docker-config: isolated/);
  const during = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
  assert.ok(during.auths[hostOf(viaFile)], 'the file host was written before the helper failed');

  const post = await runPost(main);
  assertOk(post);
  assert.equal(
    await readFile(path.join(dir, 'config.json'), 'utf8'),
    original,
    'post undid the half-done login',
  );
  assert.deepEqual(await listFiles(dir), ['config.json']);
  assert.deepEqual(findLeaks([main, post], secretsOf(api)), []);
  figures.push(['login failing half-way (helper missing)', 'post restores byte-for-byte']);
});

test('20 jobs log in at the same moment to one shared config, then 20 post steps restore it', async (t) => {
  const WRITERS = 20;
  const accounts = Array.from({ length: WRITERS }, (_, i) => accountId('7', i + 1));
  const api = await standIn(t, { accounts: accounts.map((id) => ({ accountId: id, region: REGION })) });
  const shared = await tempDir('shared-docker');
  t.after(() => rm(shared, { recursive: true, force: true }));
  const original = JSON.stringify(userConfig(), null, '\t');
  await writeFile(path.join(shared, 'config.json'), original, { mode: 0o600 });

  // Every job its own runner directories (RUNNER_TEMP, HOME, file commands); the docker config is shared.
  const prepared = [];
  for (const account of accounts) {
    const workdir = await job(t);
    prepared.push(
      await prepareStep({
        workdir,
        api,
        inputs: { registries: account, region: REGION, 'docker-config': shared },
      }),
    );
  }
  let started = performance.now();
  const finished = await Promise.all(prepared.map((step) => execute(step)));
  const mainMs = round(performance.now() - started);
  const mains = await Promise.all(
    prepared.map(async (step, i) => ({
      ...(await collectStep(step, finished[i])),
      api,
      jobEnvOverrides: {},
    })),
  );
  for (const main of mains) assertOk(main);

  const during = JSON.parse(await readFile(path.join(shared, 'config.json'), 'utf8'));
  for (const account of accounts) {
    assert.equal(
      during.auths[hostOf(account)]?.auth,
      authToken(api.account(account, REGION).password),
      `entry of ${account} kept`,
    );
  }
  const before = userConfig();
  for (const [host, entry] of Object.entries(before.auths)) assert.deepEqual(during.auths[host], entry);
  assert.equal(Object.keys(during.auths).length, WRITERS + Object.keys(before.auths).length);
  assert.deepEqual(await listFiles(shared), ['config.json'], 'no lock or temp file left');

  started = performance.now();
  const posts = await Promise.all(mains.map((main) => runPost(main)));
  const postMs = round(performance.now() - started);
  for (const post of posts) assertOk(post);
  assert.equal(await readFile(path.join(shared, 'config.json'), 'utf8'), original, 'byte-for-byte');
  assert.deepEqual(await listFiles(shared), ['config.json']);
  assert.deepEqual(findLeaks([...mains, ...posts], secretsOf(api)), []);
  figures.push([
    `${WRITERS} concurrent main steps, one config`,
    `all ${WRITERS} entries kept (${mainMs} ms)`,
  ]);
  figures.push([`${WRITERS} concurrent post steps`, `byte-for-byte original (${postMs} ms)`]);
});

test("a killed owner's lock is taken over at once, a live one is waited for, an old one from elsewhere too", async (t) => {
  const api = await standIn(t);
  const workdir = await job(t);
  const dir = path.join(workdir.home, '.docker');
  await mkdir(dir, { recursive: true });
  const original = JSON.stringify(userConfig(), null, '\t');
  const file = path.join(dir, 'config.json');
  await writeFile(file, original, { mode: 0o600 });
  const lock = `${file}.lock`;
  const isTemp = (name) => /^config\.json\.\d+\.[0-9a-f]+\.tmp$/.test(name);

  // Killed in its write (held there by the hook): its lock and its temp file (a token in it) stay behind.
  const killed = await spawnStep({
    workdir,
    api,
    inputs: { registries: '888888888880', region: REGION },
    nodeArgs: ['--import', SLOW_WRITE_HOOK],
    env: { E2E_SLOW_WRITE_MS: '5000' },
  });
  t.after(() => killed.child.kill('SIGKILL'));
  const temp = await waitFor(async () => (await listFiles(dir)).find(isTemp), { timeoutMs: 10_000 });
  assert.ok(temp, 'the step reached its write');
  const lockText = await readFile(lock, 'utf8');
  assert.match(lockText, new RegExp(`^${killed.child.pid}\n.+\n$`), 'the lock names its owner and machine');
  killed.child.kill('SIGKILL');
  assert.equal((await killed.done).signal, 'SIGKILL');
  assert.deepEqual((await listFiles(dir)).sort(), ['config.json', 'config.json.lock', temp].sort());

  // The next step takes the lock over at once (its owner is gone), and removes the temp file.
  const next = await runAction({ workdir, api, inputs: { registries: '888888888881', region: REGION } });
  assertOk(next);
  assert.ok(next.durationMs < STALE_LOCK_MS / 3, `took the lock over in ${round(next.durationMs)} ms`);
  assert.deepEqual(await listFiles(dir), ['config.json'], 'no lock, no temp file left');
  assert.ok(JSON.parse(await readFile(file, 'utf8')).auths[hostOf('888888888881')]);

  // Held by a live process of this machine (this test's): the step waits and writes nothing meanwhile.
  await writeFile(lock, lockText.replace(/^\d+/, String(process.pid)));
  const HELD_MS = 1500;
  const waiting = await spawnStep({ workdir, api, inputs: { registries: '888888888882', region: REGION } });
  t.after(() => waiting.child.kill('SIGKILL'));
  await sleep(HELD_MS);
  assert.equal(waiting.child.exitCode, null, 'still waiting for the lock');
  const before = await readFile(file, 'utf8');
  await rm(lock);
  const waited = await waiting.done;
  assertOk(waited);
  assert.ok(waited.durationMs >= HELD_MS, `waited ${round(waited.durationMs)} ms`);
  assert.ok(!JSON.parse(before).auths[hostOf('888888888882')], 'nothing written while the lock is held');
  assert.ok(JSON.parse(await readFile(file, 'utf8')).auths[hostOf('888888888882')]);

  // Left by a process that cannot be asked (no machine in it): taken over once older than the limit.
  await writeFile(lock, '999999\n');
  const old = new Date(Date.now() - STALE_LOCK_MS - 5000);
  await utimes(lock, old, old);
  const takeover = await runAction({ workdir, api, inputs: { registries: '888888888883', region: REGION } });
  assertOk(takeover);
  assert.ok(takeover.durationMs < 10_000, `took the stale lock over in ${round(takeover.durationMs)} ms`);
  assert.equal(existsSync(lock), false, 'the lock is released');
  assert.ok(JSON.parse(await readFile(file, 'utf8')).auths[hostOf('888888888883')]);
  assert.deepEqual(findLeaks([next, waited, takeover], secretsOf(api)), []);
  figures.push([
    'lock and temp file of a step killed mid-write',
    `both gone, next step took ${round(next.durationMs)} ms`,
  ]);
  figures.push([
    `live lock held ${HELD_MS} ms`,
    `step waited ${round(waited.durationMs)} ms, then logged in`,
  ]);
  figures.push([
    'lock of unknown origin, mtime 35 s ago',
    `taken over, step took ${round(takeover.durationMs)} ms`,
  ]);
});

test('docker-config naming a file: one error line, before any AWS call', async (t) => {
  const api = await standIn(t);
  const workdir = await job(t);
  const file = path.join(workdir.root, 'docker-config.json');
  await writeFile(file, '{}');
  const main = await runAction({
    workdir,
    api,
    inputs: { registries: '888888888884', region: REGION, 'docker-config': file },
  });
  assert.equal(main.code, 1, describeStep(main));
  assert.deepEqual(main.errors, [
    `Input 'docker-config': '${file}' is not valid; expected a directory, but ${file} is a file: ` +
      `name the directory docker's config.json goes in, or use 'isolated'.`,
  ]);
  assert.equal(api.calls.length, 0, 'no call to the AWS API');
  assert.equal(await readFile(file, 'utf8'), '{}');
  figures.push(['docker-config naming a file', 'refused with the inputs, no AWS call']);
});

test('SIGKILL in the middle of writing never leaves a damaged config.json', async (t) => {
  const api = await standIn(t);
  const workdir = await job(t);
  const dir = path.join(workdir.home, '.docker');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'config.json');
  const lock = `${file}.lock`;
  // A config of ~1 MB makes each read-modify-write take long enough for random kills to land in it.
  const base = {
    ...userConfig(),
    'x-filler': Array.from({ length: 4000 }, (_, i) => `${i}`.padEnd(240, '.')),
  };
  const original = JSON.stringify(base, null, '\t');
  await writeFile(file, original, { mode: 0o600 });

  let next = 0;
  const seen = { killedMidWrite: 0, killedRandomly: 0, locksLeft: 0, finishedAnyway: 0 };

  /** config.json parses, holds every original key and entry, and only whole entries of our logins. */
  async function assertIntact(when) {
    const text = await readFile(file, 'utf8');
    let config;
    assert.doesNotThrow(() => {
      config = JSON.parse(text);
    }, `config.json parses ${when}`);
    for (const [key, value] of Object.entries(base)) {
      if (key !== 'auths') assert.deepEqual(config[key], value, `${key} intact ${when}`);
    }
    for (const [host, entry] of Object.entries(config.auths)) {
      if (host in base.auths) {
        assert.deepEqual(entry, base.auths[host], `${host} intact ${when}`);
        continue;
      }
      const account = /^(\d{12})\./.exec(host)?.[1];
      assert.ok(account, `unexpected entry ${host} ${when}`);
      assert.deepEqual(entry, { auth: authToken(api.account(account, REGION).password) }, `${host} whole`);
    }
    for (const host of Object.keys(base.auths)) assert.ok(host in config.auths, `${host} kept ${when}`);
    return config;
  }

  /** A lock left by a killed step: the next step must take it over at once, its owner being gone. */
  async function lockLeft() {
    if (!(await exists(lock))) return false;
    seen.locksLeft += 1;
    return true;
  }

  const startStep = (extra = {}) => {
    next += 1;
    return spawnStep({
      workdir,
      api,
      inputs: { registries: accountId('9', next), region: REGION },
      ...extra,
    });
  };

  // A step that completes, for the baseline duration and to prove the config still works.
  const steps = [];
  const baseline = await (await startStep()).done;
  steps.push(baseline);
  assertOk(baseline);
  await assertIntact('after a normal run');

  // 1. Held in its write (half the bytes on disk) by the hook, then killed: every time mid-write.
  const MID_WRITE_KILLS = 4;
  for (let i = 0; i < MID_WRITE_KILLS; i++) {
    const step = await startStep({
      nodeArgs: ['--import', SLOW_WRITE_HOOK],
      env: { E2E_SLOW_WRITE_MS: '5000' },
    });
    t.after(() => step.child.kill('SIGKILL'));
    const earlier = new Set(await listFiles(dir));
    const temp = await waitFor(
      async () => {
        const names = (await listFiles(dir)).filter((name) => name.endsWith('.tmp') && !earlier.has(name));
        for (const name of names) {
          const size = (await stat(path.join(dir, name)).catch(() => ({ size: 0 }))).size;
          if (size > 0) return name;
        }
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 5 },
    );
    assert.ok(temp, 'the step reached its write');
    step.child.kill('SIGKILL');
    const killed = await step.done;
    steps.push(killed);
    assert.equal(killed.signal, 'SIGKILL');
    const partial = await readFile(path.join(dir, temp), 'utf8');
    assert.throws(() => JSON.parse(partial), 'the temp file really is half-written');
    seen.killedMidWrite += 1;
    await assertIntact(`after kill ${i + 1} mid-write`);
    assert.ok(await lockLeft(), 'a step killed in its write leaves its lock');
    // The next step must take the lock over (at once: it waits for its temp file for 10 s only).
  }

  // 2. Killed at random moments of an ordinary run (bounded count).
  const RANDOM_KILLS = 12;
  for (let i = 0; i < RANDOM_KILLS; i++) {
    const step = await startStep();
    t.after(() => step.child.kill('SIGKILL'));
    await sleep(randomInt(Math.round(baseline.durationMs * 0.4), Math.round(baseline.durationMs * 1.1) + 1));
    step.child.kill('SIGKILL');
    const result = await step.done;
    steps.push(result);
    if (result.signal === 'SIGKILL') seen.killedRandomly += 1;
    else seen.finishedAnyway += 1;
    await assertIntact(`after random kill ${i + 1}`);
    await lockLeft();
  }

  // 3. After all that, a normal login and logout still work and give back the same bytes.
  const textBefore = await readFile(file, 'utf8');
  const main = await runAction({ workdir, api, inputs: { registries: accountId('9', 999), region: REGION } });
  assertOk(main);
  assert.ok(main.durationMs < 10_000, `no wait on a dead lock (${round(main.durationMs)} ms)`);
  const post = await runPost(main);
  assertOk(post);
  assert.equal(await readFile(file, 'utf8'), textBefore, 'main + post give back the same bytes');
  await assertIntact('at the end');
  assert.equal(await exists(lock), false, 'no lock left at the end');

  assert.deepEqual(
    findLeaks([...steps, main, post], secretsOf(api)),
    [],
    'killed or not, no step showed a secret',
  );

  assert.deepEqual(
    await listFiles(dir),
    ['config.json'],
    'the temp files of killed writers (each holding a token) are gone once a later step held the lock',
  );
  const undoTemps = (await listFiles(workdir.runnerTemp)).filter((name) => name.endsWith('.tmp'));
  figures.push([
    `SIGKILL: ${seen.killedMidWrite} mid-write + ${seen.killedRandomly} at random (${seen.finishedAnyway} finished first)`,
    'config.json parsed and intact after every kill',
  ]);
  figures.push(['locks left by killed steps', `${seen.locksLeft}, each taken over at once by the next step`]);
  figures.push([
    'temp files left in the docker config dir',
    `0 (${seen.killedMidWrite}+ removed by later steps); ${undoTemps.length} undo temp files in RUNNER_TEMP`,
  ]);
});
