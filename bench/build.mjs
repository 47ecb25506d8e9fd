// Build and push: the action (dist/index.js, `build: true`, main step then post step) against the same
// work done by plain docker commands, measured in the same run against the same local registry.
//
//   node bench/build.mjs [--runs 11] [--payload-kb 1024] [--builder docker|buildx|both] [--write]
//   (or BENCH_BUILD_RUNS, BENCH_BUILD_PAYLOAD_KB, BENCH_BUILDER)
//
// Both builders by default: the classic builder on the system's dockerd, buildx on the BuildKit engine
// the e2e suite uses (started here as root when it is not running). `npm run bench` runs it after the
// start-up bench (bench/run.mjs). Nothing tracked is rewritten unless asked: `--write` replaces the
// `build` section of bench/results.json.
//
// Both sides do the same work in each iteration:
// - the same context (examples/app plus a payload file of fresh random bytes, so each side builds and
//   pushes a layer docker has never seen: nothing is cached or mounted from another repository);
// - the same labels and OCI_* build args: the action's own `labels` and `build-args` outputs of the
//   warm-up run, passed to plain docker as --label/--build-arg. The event payload carries a commit time,
//   as a real push event does, so `created` (default `commit`) is the same in every run;
// - the same layer cache state: each side removes its images (and so their parent layers) when it is
//   done, so every build runs all of its steps; the bench checks that both builds ran the same steps,
//   cache hits and intermediate containers, and that both pushed images carry the same labels;
// - the same 2 tags, pushed to a repository neither side has pushed to before, in the same registry.
// Plain side, classic builder: `docker build --tag A --tag B`, `docker push A`, `docker push B`, with a
// docker config already logged in (written once, outside the timing). The second --tag is what `docker
// tag` would do, without the cost of one more CLI start, so the baseline is the faster one.
// Plain side, buildx: one `docker buildx build --push --tag A --tag B` with the same labels and args.
// Action side: the main step (login against the ECR API stand-in, repository created, tag plan, build,
// push) plus the post step (logout), as the runner runs them: the sum of the two processes' wall times.
// The order of the two sides alternates per iteration to cancel drift. Preparing the context and the
// job's files, and removing images, happen outside the timing.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuildkitDaemon } from '../__tests__/e2e/support/buildkit.mjs';
import { start as startEcrApi } from '../__tests__/e2e/support/ecr-api.mjs';
import { run, tempDir, track } from '../__tests__/e2e/support/proc.mjs';
import { getLabels, listTags, startRegistry } from '../__tests__/e2e/support/registry.mjs';
import {
  ACTION_ENTRY,
  collectStep,
  createWorkdir,
  prepareStep,
  resolveNode24,
  runPost,
} from '../__tests__/e2e/support/runner.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const APP_DIR = path.join(here, '..', 'examples', 'app');
const RESULTS_FILE = path.join(here, 'results.json');
export const BUILD_TARGET = 1.05;
export const BUILDERS = ['docker', 'buildx'];
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const TAGS = ['sha-0123456', 'main'];
const COMMIT_TIME = '2026-11-20T09:30:00Z';
const COMMIT_EPOCH = String(Date.parse(COMMIT_TIME) / 1000);
const STEP_TIMEOUT_MS = 300_000;
const DOCKER_TIMEOUT_MS = 300_000;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (ms) => Math.round(ms * 10) / 10;

async function timed(work) {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** A docker CLI command with this process's environment plus `env`, as a shell step would run it. */
async function docker(args, env = {}) {
  const result = await run('docker', args, {
    env: { ...process.env, ...env },
    timeoutMs: DOCKER_TIMEOUT_MS,
  });
  if (result.code !== 0) {
    throw new Error(`docker ${args.slice(0, 2).join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
  }
  return result;
}

/** Why the bench cannot run here, or null when it can. */
async function dockerMissing(builder) {
  try {
    const info = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
    if (info.code !== 0) return 'no Docker daemon answers (`docker info` failed)';
  } catch {
    return 'the docker CLI is not installed';
  }
  if (builder === 'buildx') {
    const buildx = await run('docker', ['buildx', 'version'], { timeoutMs: 20_000 });
    if (buildx.code !== 0) return 'docker buildx is not installed';
  }
  for (const tool of ['docker-registry', 'htpasswd']) {
    const found = await run('sh', ['-c', 'command -v "$1"', 'sh', tool], { timeoutMs: 10_000 });
    if (found.code !== 0) return `${tool} is not installed`;
  }
  return null;
}

/** examples/app plus a payload of fresh random bytes, copied into `dir`. */
async function writeContext(dir, payloadBytes) {
  await cp(APP_DIR, dir, { recursive: true });
  const dockerfile = await readFile(path.join(APP_DIR, 'Dockerfile'), 'utf8');
  await writeFile(path.join(dir, 'Dockerfile'), `${dockerfile.trimEnd()}\nCOPY payload.bin /payload.bin\n`);
  await writeFile(path.join(dir, 'payload.bin'), randomBytes(payloadBytes));
}

/** A push event as GitHub sends it: the commit time is what `created: commit` reads. */
async function writePushEvent(workdir) {
  const event = {
    ref: 'refs/heads/main',
    head_commit: { id: '0123456789abcdef0123456789abcdef01234567', timestamp: COMMIT_TIME },
    repository: { full_name: 'e2e/app', default_branch: 'main', html_url: 'https://github.com/e2e/app' },
  };
  await writeFile(workdir.eventPath, `${JSON.stringify(event)}\n`);
}

/**
 * Runs a prepared step as runner.execute() does (empty stdin, bounded), and notes when each line of its
 * log arrived, in ms from the spawn: the phases the action prints round to 0.1 s above 1 s, these do not.
 */
function executeTimed(prepared, timeoutMs) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = track(
      spawn(prepared.file, prepared.args, {
        env: prepared.env,
        cwd: prepared.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    const stdout = [];
    const stderr = [];
    const timeline = [];
    let partial = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      const at = performance.now() - started;
      stdout.push(chunk);
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop();
      for (const line of parts) timeline.push({ at, line });
    });
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const durationMs = performance.now() - started;
      if (partial !== '') timeline.push({ at: durationMs, line: partial });
      resolve({
        code,
        signal,
        timedOut,
        durationMs,
        timeline,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end('');
  });
}

/** Where the main step's time goes: each segment ends at the first log line that matches. */
const FIRST_SEGMENTS = [
  ['start-up: spawn to first log line', (line) => line !== ''],
  ['tags, labels, builder probe', (line) => line.startsWith('Builder: ')],
  ['login', (line) => /^Log in to Amazon ECR: /.test(line)],
  ['repository and tag plan', (line) => /^Repository and tag plan: /.test(line)],
];
const SEGMENTS = {
  docker: [
    ...FIRST_SEGMENTS,
    ['until docker build starts', (line) => /^\[command\]\S*docker build /.test(line)],
    ['docker build', (line) => /^Build: /.test(line)],
    ['until the first docker push', (line) => /^\[command\]\S*docker push /.test(line)],
    ['docker push x2', (line) => /^Push: /.test(line)],
  ],
  buildx: [
    ...FIRST_SEGMENTS,
    ['until docker buildx build starts', (line) => /^\[command\]\S*docker buildx build /.test(line)],
    ['docker buildx build --push', (line) => /^Build: /.test(line)],
  ],
};
/** The plain side's parts, by the action segment that does the same work. */
const PLAIN_PARTS = {
  docker: { 'docker build': 'buildMs', 'docker push x2': 'pushMs' },
  buildx: { 'docker buildx build --push': 'buildMs' },
};
const PLAIN_NAME = {
  docker: 'docker build + 2 x docker push',
  buildx: 'docker buildx build --push (2 tags)',
};
const TAIL_SEGMENT = 'outputs, summary, exit';

export function segmentsOf(timeline, durationMs, builder = 'docker') {
  const segments = {};
  let from = 0;
  let index = 0;
  for (const [name, matches] of SEGMENTS[builder]) {
    index = timeline.findIndex((entry, i) => i >= index && matches(entry.line));
    if (index < 0) return null;
    segments[name] = timeline[index].at - from;
    from = timeline[index].at;
  }
  segments[TAIL_SEGMENT] = durationMs - from;
  return segments;
}

/** What the builder did: steps, cache hits and intermediate containers (must match per side). */
export function buildSteps(log, builder = 'docker') {
  const count = (pattern) => (log.match(pattern) ?? []).length;
  if (builder === 'buildx') {
    // BuildKit's plain progress: `#7 [2/3] COPY …` opens a step, `#7 CACHED` is a cache hit.
    const steps = new Set([...log.matchAll(/^#(\d+) \[(?:[\w.-]+ )?\d+\/\d+\] /gm)].map((m) => m[1]));
    return { steps: steps.size, cached: count(/^#\d+ CACHED$/gm) };
  }
  return {
    steps: count(/^Step \d+\/\d+ : /gm),
    cached: count(/^ ---> Using cache$/gm),
    containers: count(/^ ---> Running in /gm),
  };
}

const lines = (text) => (text ?? '').split('\n').filter(Boolean);

/**
 * The engine a builder's bench runs on: the system's dockerd for the classic builder, the BuildKit engine
 * for buildx (started when it is not running, and stopped again). Points every docker client of this
 * process at it. Resolves `{ skipped }` or `{ restore() }`.
 */
async function useEngine(builder) {
  const before = process.env.DOCKER_HOST;
  const restore = () => {
    if (before === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = before;
  };
  if (builder === 'docker') {
    delete process.env.DOCKER_HOST;
    return { restore: async () => restore() };
  }
  let daemon;
  try {
    daemon = await ensureBuildkitDaemon();
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
  if (!daemon.available) return { skipped: daemon.reason };
  process.env.DOCKER_HOST = daemon.host;
  return {
    restore: async () => {
      restore();
      await daemon.stop();
    },
  };
}

export async function runBuildBench({
  runs = 11,
  payloadKb = 1024,
  builder = 'docker',
  log = console.log,
} = {}) {
  if (!Number.isInteger(runs) || runs < 1 || runs > 200) throw new Error('build runs must be 1..200');
  if (!Number.isInteger(payloadKb) || payloadKb < 1 || payloadKb > 1024 * 1024) {
    throw new Error('payload KB must be 1..1048576');
  }
  if (!BUILDERS.includes(builder)) throw new Error(`builder must be one of ${BUILDERS.join(', ')}`);
  const engine = await useEngine(builder);
  if (engine.skipped) return { builder, skipped: engine.skipped };
  try {
    const missing = await dockerMissing(builder);
    if (missing) return { builder, skipped: missing };
    return await benchOn(builder, { runs, payloadKb, log });
  } finally {
    await engine.restore();
  }
}

async function benchOn(builder, { runs, payloadKb, log }) {
  const payloadBytes = payloadKb * 1024;
  const node = resolveNode24();
  const dockerVersion = (await docker(['version', '--format', '{{.Server.Version}}'])).stdout.trim();
  const distIndexJsSha256 = createHash('sha256')
    .update(await readFile(ACTION_ENTRY))
    .digest('hex');
  const registry = await startRegistry();
  const cleanups = [() => registry.close()];
  const problems = [];
  try {
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
    cleanups.push(() => api.close());
    const scratch = await tempDir('bench-build');
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    // The plain side's login, done once: what `docker login` leaves, for the same user and password.
    const plainConfig = path.join(scratch, 'docker-config');
    await mkdir(plainConfig);
    const auth = Buffer.from(`AWS:${registry.password}`).toString('base64');
    await writeFile(
      path.join(plainConfig, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth } } }),
      { mode: 0o600 },
    );
    // Whatever a failed iteration leaves in docker under this registry (its port is new each run).
    cleanups.push(async () => {
      const listed = await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
      const ours = lines(listed.stdout).filter((ref) => ref.startsWith(`${registry.host}/`));
      if (ours.length > 0) await run('docker', ['image', 'rm', '--force', ...ours], { timeoutMs: 120_000 });
    });

    let flags; // --build-arg/--label flags from the action's own outputs, set by the warm-up run.
    let expectedLabels;

    async function actionSide(name) {
      const workdir = await createWorkdir();
      try {
        await writePushEvent(workdir);
        await writeContext(path.join(workdir.workspace, 'app'), payloadBytes);
        const inputs = {
          registries: ACCOUNT,
          region: REGION,
          repository: `bench/${name}`,
          tags: 'type=sha\ntype=branch',
          'create-repository': 'true',
          build: 'true',
          context: 'app',
          builder,
        };
        const callsBefore = api.calls.length;
        const prepared = await prepareStep({ step: 'main', inputs, workdir, api });
        const finished = await executeTimed(prepared, STEP_TIMEOUT_MS);
        const main = { ...(await collectStep(prepared, finished)), api, jobEnvOverrides: {} };
        if (main.code !== 0 || main.outputs.pushed !== 'true') {
          throw new Error(`action main step failed (exit ${main.code}):\n${main.stdout}\n${main.stderr}`);
        }
        const post = await runPost(main, { timeoutMs: STEP_TIMEOUT_MS });
        if (post.code !== 0) throw new Error(`action post step failed (exit ${post.code}):\n${post.stderr}`);
        await run('docker', ['image', 'rm', '--force', ...lines(main.outputs.images)], {
          timeoutMs: 120_000,
        });
        return {
          ms: main.durationMs + post.durationMs,
          mainMs: main.durationMs,
          postMs: post.durationMs,
          segments: segmentsOf(finished.timeline, finished.durationMs, builder),
          steps: buildSteps(`${main.stdout}\n${finished.stderr}`, builder),
          apiCalls: api.calls.slice(callsBefore).map((call) => call.operation),
          outputs: main.outputs,
        };
      } finally {
        await workdir.remove();
      }
    }

    async function plainSide(name) {
      const context = path.join(scratch, name);
      const refs = TAGS.map((tag) => `${registry.host}/bench/${name}:${tag}`);
      // The classic builder, as the action's `builder: docker` runs it: with buildx installed, plain
      // `docker build` would be BuildKit.
      const env = { DOCKER_CONFIG: plainConfig, ...(builder === 'docker' ? { DOCKER_BUILDKIT: '0' } : {}) };
      try {
        await writeContext(context, payloadBytes);
        const tagFlags = refs.map((ref) => `--tag=${ref}`);
        if (builder === 'buildx') {
          // The same image the action builds: no provenance attestation (its default) and the commit
          // time for BuildKit's timestamps.
          const same = ['--provenance=false', `--build-arg=SOURCE_DATE_EPOCH=${COMMIT_EPOCH}`];
          const build = await timed(() =>
            docker(['buildx', 'build', '--push', ...same, ...flags, ...tagFlags, context], env),
          );
          await run('docker', ['image', 'rm', '--force', ...refs], { timeoutMs: 120_000 });
          return { ms: build.ms, buildMs: build.ms, steps: buildSteps(build.result.stderr, builder) };
        }
        const build = await timed(() => docker(['build', ...flags, ...tagFlags, context], env));
        const pushes = [];
        for (const ref of refs) pushes.push(await timed(() => docker(['push', ref], env)));
        await run('docker', ['image', 'rm', '--force', ...refs], { timeoutMs: 120_000 });
        const pushMs = pushes.reduce((sum, push) => sum + push.ms, 0);
        return { ms: build.ms + pushMs, buildMs: build.ms, pushMs, steps: buildSteps(build.result.stdout) };
      } finally {
        await rm(context, { recursive: true, force: true });
      }
    }

    /** Reference costs measured alongside: a bare Node 24 start and the action's `docker buildx` probe. */
    async function probes() {
      const bare = await timed(() => run(node.path, ['-e', ''], { timeoutMs: 30_000 }));
      const buildx = await timed(() => run('docker', ['buildx', 'version'], { timeoutMs: 30_000 }));
      return { nodeBareMs: bare.ms, dockerBuildxProbeMs: buildx.ms };
    }

    async function checkSameImage(actionName, plainName) {
      const [actionTags, plainTags] = await Promise.all([
        listTags(registry, `bench/${actionName}`),
        listTags(registry, `bench/${plainName}`),
      ]);
      for (const [side, tags] of [
        ['action', actionTags],
        ['plain', plainTags],
      ]) {
        if (TAGS.some((tag) => !tags.includes(tag))) problems.push(`${side}: pushed tags ${tags.join(', ')}`);
      }
      const [actionLabels, plainLabels] = await Promise.all([
        getLabels(registry, `bench/${actionName}`, TAGS[0]),
        getLabels(registry, `bench/${plainName}`, TAGS[0]),
      ]);
      if (JSON.stringify(actionLabels) !== JSON.stringify(plainLabels)) {
        problems.push(
          `labels differ: action ${JSON.stringify(actionLabels)}, plain ${JSON.stringify(plainLabels)}`,
        );
      }
    }

    // Warm-up, not counted: page cache and the daemon, and the labels and build args the plain side is given.
    const warm = await actionSide('action-warmup');
    flags = [
      ...lines(warm.outputs['build-args']).map((arg) => `--build-arg=${arg}`),
      ...lines(warm.outputs.labels).map((label) => `--label=${label}`),
    ];
    expectedLabels = warm.outputs.labels;
    const tagNames = lines(warm.outputs['tag-names']);
    if (tagNames.join(',') !== TAGS.join(',')) throw new Error(`the action resolved tags ${tagNames}`);
    await plainSide('plain-warmup');
    await checkSameImage('action-warmup', 'plain-warmup');

    const samples = [];
    for (let i = 0; i < runs; i += 1) {
      const sides = i % 2 === 0 ? ['action', 'plain'] : ['plain', 'action'];
      const sample = { order: `${sides[0]} first` };
      for (const side of sides) {
        sample[side] = side === 'action' ? await actionSide(`action-${i}`) : await plainSide(`plain-${i}`);
      }
      if (sample.action.outputs.labels !== expectedLabels) {
        problems.push(`iteration ${i}: the action's labels changed between runs`);
      }
      if (JSON.stringify(sample.action.steps) !== JSON.stringify(sample.plain.steps)) {
        problems.push(
          `iteration ${i}: the builds differ: action ${JSON.stringify(sample.action.steps)}, plain ${JSON.stringify(sample.plain.steps)}`,
        );
      }
      Object.assign(sample, await probes());
      samples.push(sample);
      log(
        `  build bench ${i + 1}/${runs} (${sample.order}): action ${round(sample.action.ms)} ms, ` +
          `plain ${round(sample.plain.ms)} ms`,
      );
    }
    await checkSameImage(`action-${runs - 1}`, `plain-${runs - 1}`);
    const dist = await readFile(ACTION_ENTRY);
    if (createHash('sha256').update(dist).digest('hex') !== distIndexJsSha256) {
      problems.push('dist/index.js changed while the bench ran: the figures mix two builds');
    }
    return summarize({
      builder,
      samples,
      runs,
      payloadBytes,
      node,
      dockerVersion,
      distIndexJsSha256,
      problems,
    });
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        problems.push(`clean-up: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
}

function summarize({
  builder,
  samples,
  runs,
  payloadBytes,
  node,
  dockerVersion,
  distIndexJsSha256,
  problems,
}) {
  const med = (pick) => round(median(samples.map(pick)));
  const action = med((s) => s.action.ms);
  const plain = med((s) => s.plain.ms);
  const ratio = action / plain;
  const timed = samples.filter((s) => s.action.segments);
  if (timed.length < samples.length)
    problems.push('some main-step logs lacked a phase line: breakdown partial');
  const segmentNames = [...SEGMENTS[builder].map(([name]) => name), TAIL_SEGMENT];
  const mainStep = Object.fromEntries(
    segmentNames.map((name) => [name, round(median(timed.map((s) => s.action.segments[name])))]),
  );
  return {
    date: new Date().toISOString(),
    node: node.version,
    docker: dockerVersion,
    builder,
    builderName: builder === 'buildx' ? 'docker buildx build (BuildKit)' : 'docker build (classic builder)',
    plainName: PLAIN_NAME[builder],
    distIndexJsSha256,
    runs,
    payloadBytes,
    tags: TAGS.length,
    medianMs: { action, plain },
    timesMs: {
      action: samples.map((s) => round(s.action.ms)),
      plain: samples.map((s) => round(s.plain.ms)),
    },
    ratio,
    pairedRatioMedian: median(samples.map((s) => s.action.ms / s.plain.ms)),
    extraMs: round(action - plain),
    breakdownMedianMs: {
      plain: Object.fromEntries(
        Object.entries(PLAIN_PARTS[builder]).map(([name, key]) => [name, med((s) => s.plain[key])]),
      ),
      action: {
        mainStep: med((s) => s.action.mainMs),
        postStep: med((s) => s.action.postMs),
        mainSegments: mainStep,
      },
      reference: {
        nodeBareStart: med((s) => s.nodeBareMs),
        dockerBuildxProbe: med((s) => s.dockerBuildxProbeMs),
      },
    },
    buildSteps: samples[0]?.plain.steps ?? null,
    apiCallsPerRun: samples[0]?.action.apiCalls ?? [],
    target: { builder, value: ratio, limit: BUILD_TARGET, met: ratio <= BUILD_TARGET },
    problems,
  };
}

function table(rows, log) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  log(line(rows[0]));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) log(line(row));
}

/** The short tables `npm run bench` prints. */
export function printBuildResults(result, log = console.log) {
  if (result.skipped) {
    log(`build bench (${result.builder ?? 'docker'}) skipped: ${result.skipped}`);
    return;
  }
  const fmt = (n, digits = 1) => n.toFixed(digits);
  log(
    `Build and push: ${result.runs} iterations, ${result.payloadBytes / 1024} KiB random payload, ` +
      `${result.tags} tags, fresh repository each; Docker ${result.docker}, builder: ${result.builderName}`,
  );
  log('');
  table(
    [
      ['side', 'median ms', 'min ms', 'max ms', 'x plain'],
      ...['plain', 'action'].map((side) => [
        side === 'plain' ? result.plainName : 'action: main + post step',
        fmt(result.medianMs[side]),
        fmt(Math.min(...result.timesMs[side])),
        fmt(Math.max(...result.timesMs[side])),
        fmt(result.medianMs[side] / result.medianMs.plain, 2),
      ]),
    ],
    log,
  );
  log('');
  const b = result.breakdownMedianMs;
  const plainOf = b.plain;
  const rows = [['where the time goes (medians)', 'action ms', 'plain ms', 'extra ms']];
  for (const [name, ms] of Object.entries(b.action.mainSegments)) {
    const other = plainOf[name];
    rows.push([`main: ${name}`, fmt(ms), other === undefined ? '-' : fmt(other), fmt(ms - (other ?? 0))]);
  }
  rows.push(['post step (logout)', fmt(b.action.postStep), '-', fmt(b.action.postStep)]);
  rows.push([
    'total (median of totals)',
    fmt(result.medianMs.action),
    fmt(result.medianMs.plain),
    fmt(result.extraMs),
  ]);
  table(rows, log);
  log('');
  log(
    `reference: bare Node 24 start ${fmt(b.reference.nodeBareStart)} ms, \`docker buildx version\` probe ` +
      `${fmt(b.reference.dockerBuildxProbe)} ms; ECR API calls per action run: ${result.apiCallsPerRun.join(', ')}`,
  );
  log(
    `target (${result.builder}) action <= ${BUILD_TARGET}x plain: ${fmt(result.ratio, 2)}x (median of per-iteration ratios ` +
      `${fmt(result.pairedRatioMedian, 2)}x), ${result.target.met ? 'met' : 'MISSED'}`,
  );
  for (const problem of result.problems) log(`WARNING build (${result.builder}): ${problem}`);
}

/** JSON as the repository's Prettier config lays it out, so `prettier --check .` stays clean. */
export async function formatJson(value) {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(RESULTS_FILE)) ?? {};
    return await prettier.format(text, { ...config, filepath: RESULTS_FILE });
  } catch {
    return text;
  }
}

/** Options from the command line and the environment; the flag wins. */
export function buildOptions(argv = []) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      'payload-kb': { type: 'string' },
      builder: { type: 'string' },
      write: { type: 'boolean' },
    },
    strict: false,
  });
  const builder = values.builder ?? process.env.BENCH_BUILDER ?? 'both';
  if (builder !== 'both' && !BUILDERS.includes(builder)) {
    throw new Error(`--builder (BENCH_BUILDER) must be docker, buildx or both, not ${builder}`);
  }
  return {
    runs: Number(values.runs ?? process.env.BENCH_BUILD_RUNS ?? 11),
    payloadKb: Number(values['payload-kb'] ?? process.env.BENCH_BUILD_PAYLOAD_KB ?? 1024),
    builders: builder === 'both' ? BUILDERS : [builder],
    write: values.write === true,
  };
}

/** Each builder's bench in turn, printed as it ends; results keyed by builder. */
export async function runBuildBenches({ builders, ...options }, log = console.log) {
  const results = {};
  for (const builder of builders) {
    results[builder] = await runBuildBench({ ...options, builder, log });
    log('');
    printBuildResults(results[builder], log);
    log('');
  }
  return results;
}

/** The results file's build section and targets with this run's measured builders laid over them. */
export function mergeBuildResults(previous, results) {
  const measured = Object.entries(results).filter(([, result]) => !result.skipped);
  // Results of the one-builder bench of earlier versions (a single result, not one per builder) go.
  const kept = previous.build && !('runs' in previous.build) ? previous.build : {};
  const build = { ...kept, ...Object.fromEntries(measured) };
  const targets = { ...previous.targets };
  delete targets.buildVsPlain;
  for (const [builder, result] of Object.entries(build)) targets[`build-${builder}VsPlain`] = result.target;
  return { ...previous, targets, build };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const options = buildOptions(process.argv.slice(2));
  const results = await runBuildBenches(options);
  if (options.write && Object.values(results).some((result) => !result.skipped)) {
    let previous = {};
    try {
      previous = JSON.parse(await readFile(RESULTS_FILE, 'utf8'));
    } catch {
      // no results yet
    }
    await writeFile(RESULTS_FILE, await formatJson(mergeBuildResults(previous, results)));
    console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE)} (build section)`);
  } else if (!options.write) {
    console.log('bench/results.json left as it is (--write records these figures)');
  }
  console.log(`${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
}
