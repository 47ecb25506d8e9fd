// A docker credential helper (`docker-credential-<name> get|store|erase`) for steps under test: a
// directory to put first on the step's PATH, a JSON store the test can seed and read back, and a
// log of every call (verb, host, arguments; never the secret). The store is the helper's "keychain".
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './proc.mjs';

// CommonJS, run by the Node running the tests: the step's PATH may hold any other node.
const HELPER_SOURCE = String.raw`'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dir = __dirname;
const storeFile = path.join(dir, 'store.json');
const logFile = path.join(dir, 'calls.log');
const verb = process.argv[2];
const input = fs.readFileSync(0, 'utf8');

function load() {
  try {
    return JSON.parse(fs.readFileSync(storeFile, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw error;
  }
}
function save(data) {
  const temp = storeFile + '.' + process.pid + '.tmp';
  fs.writeFileSync(temp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temp, storeFile);
}
function log(host) {
  fs.appendFileSync(logFile, JSON.stringify({ verb, host, argv: process.argv.slice(2) }) + '\n');
}

const data = load();
if (verb === 'store') {
  let payload;
  try {
    payload = JSON.parse(input);
  } catch {
    log(null);
    process.stderr.write('store: standard input is not JSON\n');
    process.exit(2);
  }
  log(payload.ServerURL);
  data[payload.ServerURL] = { Username: payload.Username, Secret: payload.Secret };
  save(data);
} else if (verb === 'get' || verb === 'erase') {
  const host = input.trim();
  log(host);
  const entry = data[host];
  if (!entry) {
    process.stdout.write('credentials not found in native keychain\n');
    process.exit(1);
  }
  if (verb === 'get') {
    process.stdout.write(JSON.stringify({ ServerURL: host, Username: entry.Username, Secret: entry.Secret }));
  } else {
    delete data[host];
    save(data);
  }
} else {
  log(null);
  process.stderr.write('unknown command ' + verb + '\n');
  process.exit(2);
}
`;

/**
 * Install helper `name` in a fresh directory.
 * @returns {Promise<{name: string, binDir: string, storeFile: string, pathWith(base?: string): string,
 *   seed(entries: object): Promise<void>, store(): Promise<object>, calls(): Promise<object[]>,
 *   remove(): Promise<void>}>}
 */
export async function installCredentialHelper(name) {
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name)) throw new Error(`not a helper name: ${name}`);
  const root = await tempDir('cred-helper');
  const binDir = path.join(root, 'bin');
  await mkdir(binDir);
  const script = path.join(binDir, 'helper.cjs');
  const program = path.join(binDir, `docker-credential-${name}`);
  await writeFile(script, HELPER_SOURCE);
  // A shell wrapper names the exact node binary; its arguments are passed on unchanged.
  await writeFile(program, `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`);
  await chmod(program, 0o755);
  const storeFile = path.join(binDir, 'store.json');
  return {
    name,
    binDir,
    storeFile,
    pathWith: (base = process.env.PATH ?? '') => [binDir, base].filter(Boolean).join(path.delimiter),
    /** `{ host: { Username, Secret } }`, written as the helper itself writes its store. */
    seed: (entries) => writeFile(storeFile, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 }),
    async store() {
      try {
        return JSON.parse(await readFile(storeFile, 'utf8'));
      } catch (error) {
        if (error.code === 'ENOENT') return {};
        throw error;
      }
    },
    async calls() {
      try {
        const text = await readFile(path.join(binDir, 'calls.log'), 'utf8');
        return text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
      } catch (error) {
        if (error.code === 'ENOENT') return [];
        throw error;
      }
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
