// The BuildKit side of the e2e tests: a second Docker engine (Debian trixie's dockerd 26 with its
// embedded BuildKit and the containerd image store) on its own socket, unpacked by .ci/install-buildkit.sh
// into a private root, so multi-platform indexes, attestations and registry caches work with the buildx
// `docker` driver. It runs beside the system's dockerd 20.10 (the classic builder) and never replaces it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, sleep, stop, track } from './proc.mjs';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUILDKIT_ROOT = process.env.BUILDKIT_ROOT || '/opt/ecr-push-buildkit';
const STATE_DIR = '/run/ecr-push-buildkit';
export const BUILDKIT_SOCKET = path.join(STATE_DIR, 'docker.sock');
export const BUILDKIT_HOST = `unix://${BUILDKIT_SOCKET}`;
const DATA_ROOT = '/var/lib/ecr-push-buildkit';
/** Its own bridge, so its build containers never share docker0 with the system daemon. */
const BRIDGE = 'ecrbk0';
const BRIDGE_CIDR = '10.213.0.1/24';
const PLUGIN_DIR = '/usr/local/libexec/docker/cli-plugins';
const READY_MS = 60_000;

export const DOCKER_CLI = () => path.join(BUILDKIT_ROOT, 'usr/bin/docker');

async function answers() {
  if (!existsSync(BUILDKIT_SOCKET)) return false;
  const result = await run(DOCKER_CLI(), ['info', '--format', '{{.ServerVersion}} {{.Driver}}'], {
    env: { ...process.env, DOCKER_HOST: BUILDKIT_HOST },
    timeoutMs: 20_000,
  }).catch(() => ({ code: 1, stdout: '' }));
  return result.code === 0 && result.stdout.trim() !== '';
}

/** Installs the engine (apt through a private state directory) when the root lacks it: once per machine. */
async function install() {
  if (existsSync(DOCKER_CLI()) && existsSync(path.join(BUILDKIT_ROOT, 'usr/sbin/dockerd'))) return null;
  const script = path.join(ACTION_DIR, '.ci', 'install-buildkit.sh');
  const result = await run('bash', [script, BUILDKIT_ROOT], { timeoutMs: 900_000 });
  return result.code === 0 ? null : `${script} failed (exit ${result.code}):\n${result.stderr.slice(-2000)}`;
}

async function ensureBridge() {
  const shown = await run('ip', ['link', 'show', BRIDGE], { timeoutMs: 10_000 });
  if (shown.code === 0) return;
  for (const args of [
    ['link', 'add', BRIDGE, 'type', 'bridge'],
    ['addr', 'add', BRIDGE_CIDR, 'dev', BRIDGE],
    ['link', 'set', BRIDGE, 'up'],
  ]) {
    const result = await run('ip', args, { timeoutMs: 10_000 });
    if (result.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr}`);
  }
}

/** buildx as a CLI plugin where every docker client looks: GitHub's runners have it too. */
async function linkPlugin() {
  const target = path.join(BUILDKIT_ROOT, 'usr/libexec/docker/cli-plugins/docker-buildx');
  await mkdir(PLUGIN_DIR, { recursive: true });
  await run('ln', ['-sfn', target, path.join(PLUGIN_DIR, 'docker-buildx')], { timeoutMs: 10_000 });
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Make sure the BuildKit engine answers on its socket; start it (as root) when it does not. Resolves
 * `{ available, reason, host, stop() }`. Under CI=true a missing engine is an error, so CI cannot pass by
 * skipping the buildx half of the suite. `keep: true` leaves the daemon running after this process ends
 * (.ci/run starts it once for the whole suite and stops it by its pid file).
 */
export async function ensureBuildkitDaemon({ keep = false } = {}) {
  const unavailable = (reason) => {
    if (process.env.CI === 'true') throw new Error(`the BuildKit engine is required under CI: ${reason}`);
    return { available: false, reason, host: BUILDKIT_HOST, stop: async () => {} };
  };
  if (await answers()) {
    await linkPlugin();
    return { available: true, reason: null, host: BUILDKIT_HOST, stop: async () => {} };
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return unavailable('the BuildKit engine is not running and starting it needs root');
  }
  const failed = await install();
  if (failed) return unavailable(failed);
  await linkPlugin();
  await ensureBridge();
  await mkdir(STATE_DIR, { recursive: true });
  await mkdir(DATA_ROOT, { recursive: true });
  const config = path.join(STATE_DIR, 'daemon.json');
  await writeFile(config, `${JSON.stringify({ features: { 'containerd-snapshotter': true } })}\n`);
  const logFile = path.join(os.tmpdir(), `ecr-e2e-buildkitd-${process.pid}.log`);
  const log = openSync(logFile, 'a');
  let child;
  try {
    // The private root first on PATH for containerd, its shims and docker-init; runc is the system's
    // (trixie's needs a newer glibc than bookworm's).
    const env = {
      ...process.env,
      PATH: `${BUILDKIT_ROOT}/usr/bin:${BUILDKIT_ROOT}/usr/sbin:${process.env.PATH}`,
    };
    delete env.DOCKER_HOST;
    const spawned = spawn(
      path.join(BUILDKIT_ROOT, 'usr/sbin/dockerd'),
      [
        `--config-file=${config}`,
        `--host=${BUILDKIT_HOST}`,
        `--data-root=${DATA_ROOT}`,
        `--exec-root=${path.join(STATE_DIR, 'exec')}`,
        `--pidfile=${path.join(STATE_DIR, 'docker.pid')}`,
        `--bridge=${BRIDGE}`,
        '--iptables=false',
        '--ip6tables=false',
        '--ip-masq=false',
      ],
      { stdio: ['ignore', log, log], detached: true, env },
    );
    if (keep) spawned.unref();
    child = keep ? spawned : track(spawned);
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answers()) {
      const stopDaemon = async () => {
        await stop(child, { graceMs: 20_000 });
        await rm(logFile, { force: true });
      };
      return {
        available: true,
        reason: null,
        host: BUILDKIT_HOST,
        logFile,
        stop: keep ? async () => {} : stopDaemon,
      };
    }
    await sleep(500);
  }
  await stop(child, { graceMs: 20_000 });
  return unavailable(
    `the BuildKit dockerd did not come up within ${READY_MS} ms; log ${logFile}:\n${tail(logFile)}`,
  );
}
