/**
 * The file side of docker's config: a lock so that concurrent jobs on one self-hosted runner each keep
 * their entries, and atomic 0600 writes so that a process killed mid-write never leaves a truncated file.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ActionError } from '../errors.js';

/** A lock older than this was left by a killed process: no read-modify-write takes anywhere near as long. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}

/**
 * The file to edit: config.json, or the file it links to (writing through the link keeps the link, where
 * a rename over it would replace it with a copy).
 */
export async function resolveConfigFile(dir: string): Promise<string> {
  const file = path.join(dir, 'config.json');
  try {
    return await fs.realpath(file);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return file;
    throw error;
  }
}

/**
 * Runs `critical` while holding `<file>.lock`, created with O_EXCL (atomic on every local file system).
 * A lock left by a killed process is taken over once it is stale. Waiting is bounded.
 */
export async function withFileLock<T>(file: string, critical: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
      const stat = await fs.stat(lock).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > STALE_LOCK_MS) {
        await fs.rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new ActionError(
          `Timed out after ${LOCK_WAIT_MS / 1000}s waiting for ${lock}: another process holds it. ` +
            `Remove it if no docker login is running, or use 'docker-config: isolated'.`,
        );
      }
      // Jitter keeps many waiting processes from retrying in step.
      await sleep(Math.min(200, 5 * 2 ** Math.min(attempt, 5)) + Math.random() * 20);
    }
  }
  try {
    return await critical();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Writes a sibling temp file (0600), flushes it to disk, then renames it over `file`. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
