// Merge and promote over the registry API: the action (main + post step, `merge-digests` and a
// registry `source-image`) against `docker buildx imagetools create` doing the same thing, in the same
// run, against the same local registry (docker-registry with its access log on, so every request each
// side makes is counted) and the ECR API stand-in.
//
//   node bench/registry.mjs [--runs 11]
//
// Per iteration, in a fresh repository: two single-platform images (linux/amd64, linux/arm64) are put in
// the registry over HTTP (not timed); then
// - merge: the action writes one index over both digests under a tag; imagetools does the same under
//   another tag of the same repository;
// - promote: the action tags that index `prod` (exact bytes); imagetools tags it `prod-plain`.
// The order of the two sides alternates. Nothing tracked is written.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { start as startEcrApi } from '../__tests__/e2e/support/ecr-api.mjs';
import { run, tempDir } from '../__tests__/e2e/support/proc.mjs';
import {
  accessLogMark,
  accessLogRequests,
  getRawManifest,
  pushMinimalImage,
  startRegistry,
} from '../__tests__/e2e/support/registry.mjs';
import {
  createWorkdir,
  describeStep,
  resolveNode24,
  runAction,
  runPost,
} from '../__tests__/e2e/support/runner.mjs';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '11' } } });
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 100) throw new Error('--runs must be 1..100');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (ms) => Math.round(ms * 10) / 10;

const buildx = await run('docker', ['buildx', 'version'], { timeoutMs: 30_000 }).catch(() => ({ code: 1 }));
if (buildx.code !== 0) {
  console.log('registry bench skipped: docker buildx is not installed (the baseline is buildx imagetools)');
  process.exit(0);
}
const node = resolveNode24();
const registry = await startRegistry({ accessLog: true });
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
const scratch = await tempDir('bench-registry');
// The plain side's login, written once: what `docker login` leaves (imagetools speaks plain HTTP to a
// loopback registry, as the action does).
const plainConfig = path.join(scratch, 'docker-config');
await mkdir(plainConfig);
await writeFile(
  path.join(plainConfig, 'config.json'),
  JSON.stringify({
    auths: { [registry.host]: { auth: Buffer.from(`AWS:${registry.password}`).toString('base64') } },
  }),
  { mode: 0o600 },
);
const plainEnv = { ...process.env, DOCKER_CONFIG: plainConfig };

async function actionSide(inputs) {
  const workdir = await createWorkdir();
  try {
    const mark = accessLogMark(registry);
    const main = await runAction({
      workdir,
      api,
      inputs: {
        registries: ACCOUNT,
        region: REGION,
        'docker-config': 'isolated',
        'create-repository': 'true',
        ...inputs,
      },
    });
    if (main.code !== 0) throw new Error(`action failed:\n${describeStep(main)}`);
    const post = await runPost(main);
    if (post.code !== 0) throw new Error(`post failed:\n${describeStep(post)}`);
    return {
      ms: main.durationMs + post.durationMs,
      requests: accessLogRequests(registry, mark).length,
      main,
    };
  } finally {
    await workdir.remove();
  }
}

async function plainSide(argv) {
  const mark = accessLogMark(registry);
  const started = performance.now();
  const result = await run('docker', ['buildx', 'imagetools', 'create', ...argv], {
    env: plainEnv,
    timeoutMs: 120_000,
  });
  const ms = performance.now() - started;
  if (result.code !== 0) throw new Error(`imagetools create failed: ${result.stderr}`);
  return { ms, requests: accessLogRequests(registry, mark).length };
}

const samples = [];
try {
  for (let i = -1; i < RUNS; i += 1) {
    const repository = `bench/many-${i + 1}-${process.pid}`;
    const amd = await pushMinimalImage(registry, repository, 'amd', { architecture: 'amd64' });
    const arm = await pushMinimalImage(registry, repository, 'arm', { architecture: 'arm64' });
    const ref = (digest) => `${registry.host}/${repository}@${digest}`;
    const sides = {
      actionMerge: () =>
        actionSide({ repository, 'merge-digests': `${amd}\n${arm}`, tags: 'type=raw,value=merged' }),
      plainMerge: () => plainSide([`--tag=${registry.host}/${repository}:merged-plain`, ref(amd), ref(arm)]),
    };
    const sample = {};
    for (const name of i % 2 === 0 ? ['actionMerge', 'plainMerge'] : ['plainMerge', 'actionMerge']) {
      sample[name] = await sides[name]();
    }
    const index = sample.actionMerge.main.outputs.digest;
    const promote = {
      actionPromote: () =>
        actionSide({
          repository,
          'source-image': `${registry.host}/${repository}:merged`,
          tags: 'type=raw,value=prod',
        }),
      plainPromote: () =>
        plainSide([
          `--tag=${registry.host}/${repository}:prod-plain`,
          `${registry.host}/${repository}:merged`,
        ]),
    };
    for (const name of i % 2 === 0 ? ['actionPromote', 'plainPromote'] : ['plainPromote', 'actionPromote']) {
      sample[name] = await promote[name]();
    }
    const prod = await getRawManifest(registry, repository, 'prod');
    if (prod?.digest !== index) throw new Error(`prod holds ${prod?.digest}, not the merged index ${index}`);
    if (i >= 0) {
      samples.push(sample);
      console.log(
        `  registry bench ${i + 1}/${RUNS}: merge ${round(sample.actionMerge.ms)} vs ${round(sample.plainMerge.ms)} ms, ` +
          `promote ${round(sample.actionPromote.ms)} vs ${round(sample.plainPromote.ms)} ms`,
      );
    }
  }
} finally {
  await api.close();
  await registry.close();
  await rm(scratch, { recursive: true, force: true });
}

const med = (name, key = 'ms') => median(samples.map((sample) => sample[name][key]));
console.log('');
console.log(
  `Merge and promote over the registry API: ${RUNS} iterations, Node ${node.version}, ${os.cpus().length} CPUs`,
);
console.log('');
console.log('operation                          median ms  registry requests  x imagetools');
console.log('---------------------------------  ---------  -----------------  ------------');
for (const [label, action, plain] of [
  ['merge: action (main + post)', 'actionMerge', 'plainMerge'],
  ['merge: buildx imagetools create', 'plainMerge', 'plainMerge'],
  ['promote: action (main + post)', 'actionPromote', 'plainPromote'],
  ['promote: buildx imagetools create', 'plainPromote', 'plainPromote'],
]) {
  console.log(
    `${label.padEnd(33)}  ${med(action).toFixed(1).padStart(9)}  ${String(med(action, 'requests')).padStart(17)}  ` +
      `${(med(action) / med(plain)).toFixed(2).padStart(12)}`,
  );
}
