// The Docker side of the e2e tests: make sure a daemon is there, run the CLI with an argument
// array, and build tiny FROM-scratch images (Docker Hub is out of reach, so nothing can be pulled).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run, sleep, stop, tempDir, track } from './proc.mjs';

const DOCKER_BIN = process.env.E2E_DOCKER_BIN ?? 'docker';
const DOCKERD_BIN = process.env.E2E_DOCKERD_BIN ?? 'dockerd';
const DOCKERD_READY_MS = 60_000;

/**
 * Run the docker CLI. `env` is laid over this process's environment (a value of undefined removes
 * a variable). Resolves `{ code, stdout, stderr, timedOut }`.
 */
export function docker(args, { env = {}, input, timeoutMs = 180_000 } = {}) {
  const merged = { ...process.env, DOCKER_BUILDKIT: '0' };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === null) delete merged[key];
    else merged[key] = String(value);
  }
  return run(DOCKER_BIN, args, { env: merged, input, timeoutMs });
}

async function daemonAnswers() {
  try {
    const result = await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
    return result.code === 0 && result.stdout.trim() !== '';
  } catch {
    return false;
  }
}

function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Make sure a Docker daemon answers. Starts one (as root) when none does and stops it again in
 * `stop()`. Resolves `{ available, reason, started, stop() }`: `available: false` carries the reason
 * to skip with. Under CI=true a missing daemon is an error instead, so CI cannot pass by skipping.
 */
export async function ensureDockerd() {
  const unavailable = (reason) => {
    if (process.env.CI === 'true') throw new Error(`Docker is required under CI: ${reason}`);
    return { available: false, reason, started: false, stop: async () => {} };
  };
  if (await daemonAnswers()) return { available: true, reason: null, started: false, stop: async () => {} };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return unavailable('no Docker daemon answers and starting one needs root');
  }
  const logFile = path.join(os.tmpdir(), `ecr-e2e-dockerd-${process.pid}.log`);
  const log = openSync(logFile, 'a');
  let child;
  try {
    // Its own process group, so the daemon is not hit by signals meant for the test runner's group.
    child = track(spawn(DOCKERD_BIN, [], { stdio: ['ignore', log, log], detached: true }));
  } finally {
    closeSync(log);
  }
  const spawnFailed = await new Promise((resolve) => {
    child.once('error', (err) => resolve(err));
    child.once('spawn', () => resolve(null));
  });
  if (spawnFailed) return unavailable(`${DOCKERD_BIN} could not be started: ${spawnFailed.message}`);
  const deadline = Date.now() + DOCKERD_READY_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await daemonAnswers()) {
      return {
        available: true,
        reason: null,
        started: true,
        logFile,
        async stop() {
          await stop(child, { graceMs: 20_000 });
          await rm(logFile, { force: true });
        },
      };
    }
    await sleep(500);
  }
  await stop(child, { graceMs: 20_000 });
  return unavailable(
    `dockerd did not come up within ${DOCKERD_READY_MS} ms; log ${logFile}:\n${tail(logFile)}`,
  );
}

/**
 * Build a FROM-scratch image holding one small file and tag it. Every call makes a distinct image
 * (random file content), so a push always has a layer to upload.
 * @returns {Promise<{tag: string, id: string}>}
 */
export async function buildScratchImage(tag, { labels = {}, content } = {}) {
  const context = await tempDir('build');
  try {
    await writeFile(path.join(context, 'hello.txt'), content ?? `hello ${randomBytes(8).toString('hex')}\n`);
    await writeFile(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /\n');
    const labelArgs = Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
    const result = await docker(['build', '--quiet', '--tag', tag, ...labelArgs, context]);
    if (result.code !== 0)
      throw new Error(`docker build ${tag} failed (exit ${result.code}):\n${result.stderr}`);
    // The ID docker shows for the image: the config digest in the classic store, the manifest's in the
    // containerd store (where `build --quiet` still prints the config digest).
    return { tag, id: await localImageId(tag) };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** Remove local images; missing ones are fine. */
export async function removeImages(...tags) {
  if (tags.length > 0) await docker(['image', 'rm', '--force', ...tags], { timeoutMs: 60_000 });
}

/** The local image ID of a reference, or null when the daemon has no such image. */
export async function localImageId(reference) {
  const result = await docker(['image', 'inspect', '--format', '{{.Id}}', reference], { timeoutMs: 30_000 });
  const id = result.stdout.trim();
  return result.code === 0 && id !== '' ? id : null;
}

/**
 * Push `tag` as a user would after `docker login`: with a throwaway DOCKER_CONFIG holding basic auth
 * for `host` only, removed afterwards. Throws with docker's stderr when the push fails.
 */
export async function pushWithLogin(tag, { host, user = 'AWS', password }) {
  const dir = await tempDir('push-config');
  try {
    const auth = Buffer.from(`${user}:${password}`).toString('base64');
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }), {
      mode: 0o600,
    });
    const result = await docker(['push', tag], { env: { DOCKER_CONFIG: dir } });
    if (result.code !== 0)
      throw new Error(`docker push ${tag} failed (exit ${result.code}):\n${result.stderr}`);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
