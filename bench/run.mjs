// Start-up cost of the action's main step under Node 24 against the ECR stand-in (no Docker):
// wall time from spawn to exit and peak RSS, for 1 and 10 registries, next to a bare `node -e ''`
// measured in the same run so the ratios hold on any machine. Then, where Docker and docker-registry
// are available, build and push: the action against plain docker commands (bench/build.mjs).
//
//   node bench/run.mjs [--runs 15] [--rss-runs 5] [--build-runs 11] [--payload-kb 1024]
//                      [--builder docker|buildx|both] [--skip-build] [--check] [--write]
//
// --build-runs, --payload-kb and --builder default to BENCH_BUILD_RUNS, BENCH_BUILD_PAYLOAD_KB and
// BENCH_BUILDER, else 11, 1024 and both. --check exits 1 when a target is missed. --write records the
// figures in bench/results.json (tracked, so never rewritten unless asked).
import { readdirSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { start as startEcrApi } from '../__tests__/e2e/support/ecr-api.mjs';
import { tempDir } from '../__tests__/e2e/support/proc.mjs';
import {
  ACTION_ENTRY,
  collectStep,
  createWorkdir,
  describeStep,
  execute,
  prepareStep,
  resolveNode24,
} from '../__tests__/e2e/support/runner.mjs';
import { buildOptions, formatJson, mergeBuildResults, runBuildBenches } from './build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const RSS_HOOK = pathToFileURL(path.join(here, 'rss-hook.mjs')).href;
const RESULTS_FILE = path.join(here, 'results.json');
const TARGETS = {
  oneVsBare: 4,
  tenVsOne: 1.3,
  // Decimal megabytes: the stricter reading of "1.2 MB".
  distBytes: 1_200_000,
};

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'rss-runs': { type: 'string', default: '5' },
    check: { type: 'boolean', default: false },
    'build-runs': { type: 'string' },
    'payload-kb': { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    builder: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const BUILD = buildOptions([
  ...(args['build-runs'] === undefined ? [] : ['--runs', args['build-runs']]),
  ...(args['payload-kb'] === undefined ? [] : ['--payload-kb', args['payload-kb']]),
  ...(args.builder === undefined ? [] : ['--builder', args.builder]),
]);
const RUNS = Number(args.runs);
const RSS_RUNS = Number(args['rss-runs']);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 200) throw new Error('--runs must be 1..200');
if (!Number.isInteger(RSS_RUNS) || RSS_RUNS < 1 || RSS_RUNS > 50) throw new Error('--rss-runs must be 1..50');
if (!Number.isInteger(BUILD.runs) || BUILD.runs < 1 || BUILD.runs > 200) {
  throw new Error('--build-runs (BENCH_BUILD_RUNS) must be 1..200');
}
if (!Number.isInteger(BUILD.payloadKb) || BUILD.payloadKb < 1 || BUILD.payloadKb > 1024 * 1024) {
  throw new Error('--payload-kb (BENCH_BUILD_PAYLOAD_KB) must be 1..1048576');
}

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-northeast-1'];
const tenHosts = Array.from({ length: 10 }, (_, i) => {
  const account = String(100000000001 + i);
  return `${account}.dkr.ecr.${REGIONS[i % REGIONS.length]}.amazonaws.com`;
});

const CASES = {
  one: { registries: '100000000001', region: 'eu-west-1', 'docker-config': 'isolated' },
  ten: { registries: tenHosts.join('\n'), 'docker-config': 'isolated' },
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const node = resolveNode24();
const api = await startEcrApi();
const scratch = await tempDir('bench');

/** One timed run of a case; `bare` runs `node -e ''` in the same prepared environment. */
async function runOnce(name, { rss = false } = {}) {
  const workdir = await createWorkdir();
  try {
    const rssFile = path.join(scratch, `rss-${name}-${process.hrtime.bigint()}`);
    const prepared = await prepareStep({
      inputs: name === 'bare' ? {} : CASES[name],
      env: rss ? { BENCH_RSS_FILE: rssFile } : {},
      workdir,
      api,
      nodeArgs: rss ? ['--import', RSS_HOOK] : [],
    });
    if (name === 'bare') prepared.args = [...prepared.args.slice(0, -1), '-e', ''];
    const callsBefore = api.calls.length;
    const finished = await execute(prepared, { timeoutMs: 60_000 });
    const result = await collectStep(prepared, finished);
    if (result.code !== 0) throw new Error(`${name} failed:\n${describeStep(result)}`);
    return {
      ms: finished.durationMs,
      rssKb: rss ? Number(await readFile(rssFile, 'utf8')) : null,
      apiCalls: api.calls.length - callsBefore,
      outputs: result.outputs,
    };
  } finally {
    await workdir.remove();
  }
}

function checkOutputs(name, outputs) {
  if (name === 'bare') return null;
  let registries;
  try {
    registries = JSON.parse(outputs.registries ?? 'null');
  } catch {
    registries = null;
  }
  const expected = name === 'one' ? 1 : 10;
  if (!Array.isArray(registries) || registries.length < expected) {
    return `expected ${expected} registries in the output, got ${outputs.registries ?? 'none'} (placeholder dist?)`;
  }
  return null;
}

const names = ['bare', 'one', 'ten'];
const times = { bare: [], one: [], ten: [] };
const rss = { bare: [], one: [], ten: [] };
const apiCalls = {};
const problems = [];

try {
  // Warm the page cache and the stand-in before anything counts.
  for (const name of names) await runOnce(name);
  for (let i = 0; i < RUNS; i += 1) {
    // Rotate the order so no case always runs right after another.
    for (let j = 0; j < names.length; j += 1) {
      const name = names[(i + j) % names.length];
      const run = await runOnce(name);
      times[name].push(Math.round(run.ms * 10) / 10);
      apiCalls[name] = run.apiCalls;
      if (i === 0) {
        const problem = checkOutputs(name, run.outputs);
        if (problem) problems.push(`${name}: ${problem}`);
      }
    }
  }
  for (let i = 0; i < RSS_RUNS; i += 1) {
    for (const name of names) rss[name].push((await runOnce(name, { rss: true })).rssKb);
  }
} finally {
  await api.close();
  await rm(scratch, { recursive: true, force: true });
}

const distDir = path.dirname(ACTION_ENTRY);
const distBytes = statSync(ACTION_ENTRY).size;
const distAllJsBytes = readdirSync(distDir)
  .filter((f) => f.endsWith('.js') || f.endsWith('.cjs'))
  .reduce((sum, f) => sum + statSync(path.join(distDir, f)).size, 0);

const med = Object.fromEntries(names.map((n) => [n, median(times[n])]));
const medRss = Object.fromEntries(names.map((n) => [n, median(rss[n])]));
const ratios = { oneVsBare: med.one / med.bare, tenVsBare: med.ten / med.bare, tenVsOne: med.ten / med.one };
const targets = {
  oneVsBare: {
    value: ratios.oneVsBare,
    limit: TARGETS.oneVsBare,
    met: ratios.oneVsBare <= TARGETS.oneVsBare,
  },
  tenVsOne: { value: ratios.tenVsOne, limit: TARGETS.tenVsOne, met: ratios.tenVsOne <= TARGETS.tenVsOne },
  distBytes: { value: distBytes, limit: TARGETS.distBytes, met: distBytes < TARGETS.distBytes },
};

const fmt = (n, digits = 1) => n.toFixed(digits);
const rows = [
  ['case', 'median ms', 'min ms', 'max ms', 'x bare', 'peak RSS MB', 'API calls/run'],
  ...names.map((n) => [
    { bare: "node -e ''", one: 'main, 1 registry', ten: 'main, 10 registries' }[n],
    fmt(med[n]),
    fmt(Math.min(...times[n])),
    fmt(Math.max(...times[n])),
    fmt(med[n] / med.bare, 2),
    fmt(medRss[n] / 1024),
    String(apiCalls[n] ?? 0),
  ]),
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const line = (r) =>
  r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');

console.log(`Node ${node.version} (${node.path}), ${RUNS} timed runs and ${RSS_RUNS} RSS runs per case`);
console.log(`${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
console.log('');
console.log(line(rows[0]));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows.slice(1)) console.log(line(row));
console.log('');
console.log(
  `dist/index.js: ${distBytes} bytes (${fmt(distBytes / 1e6, 3)} MB); all dist JS: ${distAllJsBytes} bytes`,
);
console.log('');
const verdict = (t) => (t.met ? 'met' : 'MISSED');
console.log(
  `target 1 registry <= ${TARGETS.oneVsBare}x bare start: ${fmt(ratios.oneVsBare, 2)}x, ${verdict(targets.oneVsBare)}`,
);
console.log(
  `target 10 registries <= ${TARGETS.tenVsOne}x 1: ${fmt(ratios.tenVsOne, 2)}x, ${verdict(targets.tenVsOne)}`,
);
console.log(`target dist/index.js < ${TARGETS.distBytes} bytes: ${distBytes}, ${verdict(targets.distBytes)}`);
for (const problem of problems) console.log(`WARNING ${problem}`);

// Build and push under each builder, after the start-up figures are in (each needs its Docker engine;
// one that is missing is skipped with the reason).
let builds = {};
if (args['skip-build']) {
  console.log('build bench skipped: --skip-build');
} else {
  try {
    builds = await runBuildBenches(BUILD);
  } catch (error) {
    // The start-up figures above still count; the build figures of an earlier run are kept.
    problems.push(`build bench failed: ${error instanceof Error ? error.message : error}`);
    console.log(`build bench failed: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  }
}
for (const build of Object.values(builds)) {
  if (!build.skipped) targets[`build-${build.builder}VsPlain`] = build.target;
}

let previous = {};
try {
  previous = JSON.parse(await readFile(RESULTS_FILE, 'utf8'));
} catch {
  // no results yet
}
const startup = {
  date: new Date().toISOString(),
  node: node.version,
  runs: RUNS,
  rssRuns: RSS_RUNS,
  cpus: os.cpus().length,
  medianMs: med,
  timesMs: times,
  peakRssKb: { median: medRss, runs: rss },
  apiCallsPerRun: apiCalls,
  ratios,
  dist: { indexJsBytes: distBytes, allJsBytes: distAllJsBytes },
  targets,
  problems,
};
if (args.write) {
  const merged = mergeBuildResults({ ...startup, build: previous.build }, builds);
  await writeFile(RESULTS_FILE, await formatJson(merged));
  console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
} else {
  console.log('bench/results.json left as it is (--write records these figures)');
}

const missed = Object.values(targets).some((t) => !t.met) || problems.length > 0;
if (args.check && missed) process.exitCode = 1;
