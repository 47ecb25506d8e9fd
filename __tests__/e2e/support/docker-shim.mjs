// A `docker` that records what it was asked to do: an executable named docker, put first on PATH for the
// step under test, appends its argument vector as one JSON line to a log and then runs the real docker
// with exactly the same arguments. What a test reads back is what docker received, element by element,
// not what the action meant to pass. Also: a PATH with no docker on it at all.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './proc.mjs';

/** The environment variable naming the shim's log file (the shim falls back to the one it was made with). */
export const SHIM_LOG_ENV = 'ECR_E2E_DOCKER_SHIM_LOG';

let realDockerCache;

/**
 * Absolute path of the real docker CLI: E2E_DOCKER_BIN when it is absolute, else `command -v docker` on this
 * process's PATH (looked up before any test puts a shim in front of it). Null when there is none.
 */
export function findRealDocker() {
  if (realDockerCache !== undefined) return realDockerCache;
  const configured = process.env.E2E_DOCKER_BIN;
  if (configured && path.isAbsolute(configured)) {
    realDockerCache = existsSync(configured) ? configured : null;
    return realDockerCache;
  }
  const probe = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8', timeout: 10_000 });
  const found = probe.status === 0 ? probe.stdout.trim() : '';
  realDockerCache = found !== '' && path.isAbsolute(found) ? found : null;
  return realDockerCache;
}

function shimSource({ node, realDocker, logFile, withoutCommands }) {
  // CommonJS on purpose: the shim's directory has no package.json, and it must start fast.
  return [
    `#!${node}`,
    "'use strict';",
    "const { appendFileSync } = require('node:fs');",
    "const { spawnSync } = require('node:child_process');",
    `const REAL = ${JSON.stringify(realDocker)};`,
    `const LOG = process.env[${JSON.stringify(SHIM_LOG_ENV)}] || ${JSON.stringify(logFile)};`,
    'const argv = process.argv.slice(2);',
    "appendFileSync(LOG, JSON.stringify({ argv, pid: process.pid, time: Date.now() }) + '\\n');",
    // What docker says of a CLI plugin that is not installed, for the commands this machine must lack.
    `const MISSING = ${JSON.stringify(withoutCommands)};`,
    "const command = argv.find((arg) => !arg.startsWith('-'));",
    'if (MISSING.includes(command)) {',
    '  process.stderr.write("docker: \'" + command + "\' is not a docker command.\\nSee \'docker --help\'\\n");',
    '  process.exit(1);',
    '}',
    "const result = spawnSync(REAL, argv, { stdio: 'inherit' });",
    'if (result.error) {',
    "  process.stderr.write('docker shim: ' + result.error.message + '\\n');",
    '  process.exit(127);',
    '}',
    'if (result.signal) process.kill(process.pid, result.signal);',
    'process.exit(result.status === null ? 1 : result.status);',
    '',
  ].join('\n');
}

/**
 * Make a shim directory holding an executable `docker` that logs and forwards to the real one.
 * @param {object} [options]
 * @param {string} [options.realDocker] the docker to forward to (default: findRealDocker())
 * @param {string[]} [options.withoutCommands] commands answered as docker answers a plugin that is not
 *   installed (`['buildx']`: a machine without buildx), instead of being forwarded
 * @returns {Promise<{dir: string, logFile: string, realDocker: string, env: (base?: string) => Record<string, string>, calls: () => Array<{argv: string[], pid: number, time: number}>, clear: () => Promise<void>, remove: () => Promise<void>}>}
 */
export async function createDockerShim({ realDocker = findRealDocker(), withoutCommands = [] } = {}) {
  if (!realDocker) throw new Error('no docker CLI on PATH to put a shim in front of');
  const dir = await tempDir('docker-shim');
  const logFile = path.join(dir, 'calls.jsonl');
  const shim = path.join(dir, 'docker');
  await writeFile(logFile, '');
  await writeFile(shim, shimSource({ node: process.execPath, realDocker, logFile, withoutCommands }));
  await chmod(shim, 0o755);
  return {
    dir,
    logFile,
    realDocker,
    /** The step env that puts the shim first: PATH (in front of `base`) and the log variable. */
    env(base = process.env.PATH ?? '') {
      return { PATH: [dir, base].filter(Boolean).join(path.delimiter), [SHIM_LOG_ENV]: logFile };
    },
    /** Every docker call so far, in order. */
    calls() {
      return readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    },
    clear: () => writeFile(logFile, ''),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `PATH` (default: this process's) minus every directory that holds an executable named `program`. */
export async function pathWithout(program, pathText = process.env.PATH ?? '') {
  const kept = [];
  for (const dir of pathText.split(path.delimiter).filter(Boolean)) {
    let names = [];
    try {
      names = await readdir(dir);
    } catch {
      // a PATH entry that does not exist hides nothing
    }
    const file = path.join(dir, program);
    const executable =
      names.includes(program) && (statSync(file, { throwIfNoEntry: false })?.mode & 0o111) > 0;
    if (!executable) kept.push(dir);
  }
  return kept.join(path.delimiter);
}
