/**
 * The file side of docker's config: a lock so that concurrent jobs on one self-hosted runner each keep
 * their entries, and atomic 0600 writes so that a process killed mid-write never leaves a truncated file.
 * What a killed process leaves behind (its lock, a temp file holding a token) is cleared by the next one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActionError } from '../shared/errors.js';

/**
 * A lock older than this was left by a killed process: no read-modify-write takes anywhere near as long.
 * The rule for a lock whose owner cannot be asked (another machine or container, unreadable content).
 */
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
 * Where a pid means something: the host name, and on Linux the pid namespace too (containers on one host
 * can share a host name, never a pid namespace unless they share their processes).
 */
let machinePromise: Promise<string> | undefined;
function machine(): Promise<string> {
  machinePromise ??= fs.readlink('/proc/self/ns/pid').then(
    (namespace) => `${os.hostname()} ${namespace}`,
    () => os.hostname(),
  );
  return machinePromise;
}

/**
 * True only when no process `pid` exists here: `kill(pid, 0)` fails with ESRCH. EPERM (another user's
 * process) and anything unexpected count as alive.
 */
function processIsGone(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return isErrno(error, 'ESRCH');
  }
}

/** A lock file's identity and content, read through one handle; undefined when there is none. */
interface LockSeen {
  dev: number;
  ino: number;
  mtimeMs: number;
  text: string;
}

async function inspectLock(lock: string): Promise<LockSeen | undefined> {
  let handle;
  try {
    handle = await fs.open(lock, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    // Unreadable (another user's, say): its age is all there is to go by.
    const stat = await fs.stat(lock).catch(() => undefined);
    return stat && { dev: stat.dev, ino: stat.ino, mtimeMs: stat.mtimeMs, text: '' };
  }
  try {
    const stat = await handle.stat();
    const text = await handle.readFile('utf8').catch(() => '');
    return { dev: stat.dev, ino: stat.ino, mtimeMs: stat.mtimeMs, text };
  } finally {
    await handle.close();
  }
}

/**
 * Creates `lock` holding `text`, EEXIST when there is one; what was created. The text is written to a
 * private file first and hard-linked into place, so the lock never exists without its owner: a process
 * killed between creating the lock and writing it would leave an empty lock that only ages out.
 */
async function createLock(lock: string, text: string): Promise<LockSeen> {
  const staged = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  await fs.writeFile(staged, text, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
  try {
    await fs.link(staged, lock);
  } catch (error) {
    // A file system without hard links: O_EXCL, and the brief window before the text is written.
    if (!isErrno(error, 'EPERM') && !isErrno(error, 'ENOTSUP') && !isErrno(error, 'ENOSYS')) throw error;
    return await createLockInPlace(lock, text);
  } finally {
    await fs.rm(staged, { force: true });
  }
  const stat = await fs.stat(lock);
  return { dev: stat.dev, ino: stat.ino, mtimeMs: stat.mtimeMs, text };
}

async function createLockInPlace(lock: string, text: string): Promise<LockSeen> {
  const handle = await fs.open(lock, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    const stat = await handle.stat();
    return { dev: stat.dev, ino: stat.ino, mtimeMs: stat.mtimeMs, text };
  } catch (error) {
    await fs.rm(lock, { force: true });
    throw error;
  } finally {
    await handle.close();
  }
}

/** The same file, unchanged: inode numbers alone are reused at once on many file systems. */
function sameFile(a: LockSeen, b: LockSeen): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.text === b.text;
}

/**
 * A lock (`<pid>\n<machine>\n`) is abandoned when its owner, on this machine, is gone; failing that (another
 * machine, an older lock without one, content not written yet) when it is older than STALE_LOCK_MS.
 */
function isAbandoned(seen: LockSeen, here: string): boolean {
  const [pid, owner] = seen.text.split('\n');
  if (pid !== undefined && /^\d+$/.test(pid) && owner === here && processIsGone(Number(pid))) return true;
  return Date.now() - seen.mtimeMs > STALE_LOCK_MS;
}

/**
 * Removes `lock` if it is abandoned; true when the caller should try to take it again at once.
 * Two waiters that both saw the same abandoned lock must not both remove "it": the second would remove the
 * lock the first has just taken. So removing is done under `<lock>.break`, after checking again that the
 * lock is still the very file judged abandoned.
 */
async function removeIfAbandoned(lock: string, here: string, ownerText: string): Promise<boolean> {
  const seen = await inspectLock(lock);
  if (!seen) return true;
  if (!isAbandoned(seen, here)) return false;
  const breaker = `${lock}.break`;
  try {
    await createLock(breaker, ownerText);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    // Another waiter is removing it; or one was killed doing so, leaving its breaker, judged the same way.
    const other = await inspectLock(breaker);
    if (other && isAbandoned(other, here)) await fs.rm(breaker, { force: true });
    return false;
  }
  try {
    const now = await inspectLock(lock);
    if (now && sameFile(now, seen) && isAbandoned(now, here)) {
      await fs.rm(lock, { force: true });
    }
    return true;
  } finally {
    await fs.rm(breaker, { force: true });
  }
}

/**
 * Removes the temp files (`<file>.<pid>.<hex>.tmp`, see writeFileAtomic) of writers killed before their
 * rename: each holds a whole config, tokens included; and lock texts staged by createLock
 * (`<file>.lock[.break].<pid>.<hex>.new`) by processes killed before linking them. Only while holding the lock, and only those whose
 * process is gone, so no write in progress loses its file. Also a `<lock>.break` whose owner is gone.
 * Best effort: this never fails the caller.
 */
async function removeLeftovers(file: string, lock: string, here: string): Promise<void> {
  const breaker = await inspectLock(`${lock}.break`).catch(() => undefined);
  if (breaker && isAbandoned(breaker, here))
    await fs.rm(`${lock}.break`, { force: true }).catch(() => undefined);
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(?:(\d+)\.[0-9a-f]+\.tmp|lock(?:\.break)?\.(\d+)\.[0-9a-f]+\.new)$/.exec(
      name.slice(prefix.length),
    );
    const owner = match?.[1] ?? match?.[2];
    if (owner === undefined || !processIsGone(Number(owner))) continue;
    await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
  }
}

/**
 * Runs `critical` while holding `<file>.lock`, created with O_EXCL (atomic on every local file system) and
 * holding our pid and machine. A lock left by a killed process is taken over: at once when its owner was
 * on this machine, else once it is stale. Waiting is bounded.
 */
export async function withFileLock<T>(file: string, critical: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const here = await machine();
  const ownerText = `${process.pid}\n${here}\n`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let held: LockSeen;
  for (let attempt = 0; ; attempt++) {
    try {
      held = await createLock(lock, ownerText);
      break;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
      if (Date.now() > deadline) {
        throw new ActionError(
          `Timed out after ${LOCK_WAIT_MS / 1000}s waiting for ${lock}: another process holds it. ` +
            `Remove it if no docker login is running, or use 'docker-config: isolated'.`,
        );
      }
      if (await removeIfAbandoned(lock, here, ownerText)) continue;
      // Jitter keeps many waiting processes from retrying in step.
      await sleep(Math.min(200, 5 * 2 ** Math.min(attempt, 5)) + Math.random() * 20);
    }
  }
  try {
    await removeLeftovers(file, lock, here);
    return await critical();
  } finally {
    // Only our own lock: one taken over meanwhile (we were slower than STALE_LOCK_MS) is its new owner's.
    // Not by mtime: a network file system may set it anew when the file is closed.
    const now = await inspectLock(lock).catch(() => undefined);
    if (now && now.dev === held.dev && now.ino === held.ino && now.text === held.text) {
      await fs.rm(lock, { force: true });
    }
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
