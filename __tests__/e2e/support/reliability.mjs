// Small tools shared by the reliability and security suites: bounded parallel runs, steps that can be
// killed mid-flight, polling with a deadline, file listings and the figures tables they print.
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { collectStep, prepareStep } from './runner.mjs';
import { sleep, track } from './proc.mjs';

/** Run `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Poll `probe` until it returns something truthy, or give up after `timeoutMs` (returns undefined). */
export async function waitFor(probe, { timeoutMs = 10_000, intervalMs = 10 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await sleep(intervalMs);
  }
  return undefined;
}

/**
 * Start a step (as runner.mjs prepares it) without waiting for it: `{ child, prepared, done }`, where
 * `done` resolves to the collected result once it exits, killed or not. A hard timeout bounds it.
 */
export async function spawnStep(options, { timeoutMs = 60_000 } = {}) {
  const prepared = await prepareStep(options);
  const started = performance.now();
  const child = track(
    spawn(prepared.file, prepared.args, {
      env: prepared.env,
      cwd: prepared.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  child.stdin.on('error', () => {});
  child.stdin.end('');
  const stdout = [];
  const stderr = [];
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        durationMs: performance.now() - started,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  }).then((finished) => collectStep(prepared, finished));
  return { child, prepared, done };
}

/** Every file under `dir`, relative to it, sorted; [] when `dir` does not exist. */
export async function listFiles(dir) {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

export async function exists(file) {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (error.code === 'ENOENT') return false;
    throw error;
  }
}

/** A plain-text table for the figures a suite reports (they go into the README). */
export function formatTable(title, header, rows) {
  const cells = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [
    `${title}`,
    line(cells[0]),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

export const round = (ms) => Math.round(ms);
