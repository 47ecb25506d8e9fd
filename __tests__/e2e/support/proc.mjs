// Child-process plumbing shared by the e2e helpers: argument arrays only (no shell), a hard
// timeout on everything, and no stray daemons if the test process dies early.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Keep a long-running child on the list killed when this process exits. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/**
 * Run a command to completion. Resolves `{ code, signal, stdout, stderr, timedOut }`; never rejects
 * for a non-zero exit (callers assert), only when the program cannot be started.
 */
export function run(file, args, { env, input, cwd, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(file, args, { env: env ?? process.env, cwd, stdio: ['pipe', 'pipe', 'pipe'] }));
    const stdout = [];
    const stderr = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    // A child that exits without reading stdin makes the write fail with EPIPE; that is its business.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Wait (bounded) for a child to exit after a signal, escalating to SIGKILL. */
export async function stop(child, { graceMs = 5000 } = {}) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A port free right now on 127.0.0.1; callers retry if someone else wins the race to it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix) {
  return mkdtemp(path.join(os.tmpdir(), `ecr-e2e-${prefix}-`));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
