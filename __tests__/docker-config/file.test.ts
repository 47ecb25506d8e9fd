import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  readTextIfExists,
  resolveConfigFile,
  withFileLock,
  writeFileAtomic,
} from '../../src/docker-config/file.js';

let dir: string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const modeOf = async (file: string) => (await fs.stat(file)).mode & 0o777;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'docker-config-file-'));
});

afterEach(async () => {
  jest.restoreAllMocks();
  await fs.rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited and been reaped: `process.kill(pid, 0)` fails with ESRCH. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  return pid;
}

/** Makes `pid` look like a live process of another user: `process.kill(pid, 0)` fails with EPERM. */
function pretendOtherUsersProcess(pid: number): void {
  const kill = process.kill.bind(process);
  jest.spyOn(process, 'kill').mockImplementation((target: number, signal?: string | number) => {
    if (target === pid) throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    return kill(target, signal);
  });
}

/** What another process on this machine writes into the lock: our own lock text, with its pid. */
async function lockTextOf(pid: number, file: string): Promise<string> {
  const ours = await withFileLock(file, () => fs.readFile(`${file}.lock`, 'utf8'));
  return ours.replace(/^\d+/, String(pid));
}

/**
 * Starts `withFileLock` against a lock that is already there and reports whether it got in within
 * `withinMs`; then lets it finish (removing the lock if it is still waiting).
 */
async function entersWithin(file: string, withinMs: number): Promise<boolean> {
  let entered = false as boolean; // set by the critical section
  const run = withFileLock(file, () => {
    entered = true;
    return Promise.resolve();
  });
  await sleep(withinMs);
  const result = entered;
  if (!entered) await fs.rm(`${file}.lock`, { force: true });
  await run;
  return result;
}

describe('writeFileAtomic', () => {
  test.each<[string, string | undefined]>([
    ['a new file', undefined],
    ['over an existing world-readable file', '{"old": true}'],
  ])('%s: the text, mode 0600, no temp file left', async (_name, existing) => {
    const file = path.join(dir, 'config.json');
    if (existing !== undefined) await fs.writeFile(file, existing, { mode: 0o644 });
    await writeFileAtomic(file, '{\n\t"auths": {}\n}');
    expect(await fs.readFile(file, 'utf8')).toBe('{\n\t"auths": {}\n}');
    expect(await modeOf(file)).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['config.json']);
  });

  test('creates the missing directory, 0700', async () => {
    const file = path.join(dir, 'a', 'b', 'config.json');
    await writeFileAtomic(file, '{}');
    expect(await fs.readFile(file, 'utf8')).toBe('{}');
    expect(await modeOf(path.join(dir, 'a', 'b'))).toBe(0o700);
  });

  test('a failed rename removes its temp file and throws', async () => {
    const file = path.join(dir, 'config.json');
    await fs.mkdir(file); // a directory where the file should go
    await fs.writeFile(path.join(file, 'inside'), 'x');
    await expect(writeFileAtomic(file, '{}')).rejects.toThrow();
    expect(await fs.readdir(dir)).toEqual(['config.json']);
  });

  test('many concurrent writers: the file always holds one whole text', async () => {
    const file = path.join(dir, 'config.json');
    const texts = Array.from({ length: 20 }, (_unused, index) =>
      JSON.stringify({ writer: index, pad: 'x'.repeat(5000) }),
    );
    await Promise.all(texts.map((text) => writeFileAtomic(file, text)));
    expect(texts).toContain(await fs.readFile(file, 'utf8'));
    expect(await fs.readdir(dir)).toEqual(['config.json']);
  });
});

describe('resolveConfigFile', () => {
  test('no config.json: <dir>/config.json', async () => {
    expect(await resolveConfigFile(dir)).toBe(path.join(dir, 'config.json'));
  });

  test('a symlinked config.json is written through the link, which stays a link', async () => {
    const targetDir = await fs.mkdtemp(path.join(dir, 'dotfiles-'));
    const target = path.join(targetDir, 'docker.json');
    await fs.writeFile(target, '{}');
    const link = path.join(dir, 'config.json');
    await fs.symlink(target, link);

    const file = await resolveConfigFile(dir);
    expect(file).toBe(await fs.realpath(target));
    await writeFileAtomic(file, '{"auths": {}}');

    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(link, 'utf8')).toBe('{"auths": {}}');
    expect(await fs.readFile(target, 'utf8')).toBe('{"auths": {}}');
  });
});

describe('readTextIfExists', () => {
  test.each<[string, (file: string) => Promise<void>, string | undefined]>([
    ['missing: undefined', async () => {}, undefined],
    ['empty file', (file) => fs.writeFile(file, ''), ''],
    ['text', (file) => fs.writeFile(file, '{"a":1}'), '{"a":1}'],
  ])('%s', async (_name, arrange, expected) => {
    const file = path.join(dir, 'config.json');
    await arrange(file);
    expect(await readTextIfExists(file)).toBe(expected);
  });

  test('any other error is thrown', async () => {
    await expect(readTextIfExists(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

describe('withFileLock', () => {
  test('concurrent critical sections never overlap, and the lock is gone afterwards', async () => {
    const file = path.join(dir, 'config.json');
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_unused, index) =>
        withFileLock(file, async () => {
          inside++;
          most = Math.max(most, inside);
          order.push(index);
          expect(await fs.readFile(`${file}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid}\n`));
          await sleep(15);
          inside--;
          return index * 10;
        }),
      ),
    );
    expect(most).toBe(1);
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results).toEqual([0, 10, 20, 30, 40, 50]);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  test('a throwing critical section releases the lock', async () => {
    const file = path.join(dir, 'config.json');
    await expect(
      withFileLock(file, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await fs.readdir(dir)).toEqual([]);
    await expect(withFileLock(file, () => Promise.resolve('again'))).resolves.toBe('again');
  });

  test('waits for a lock held by another process, then takes it', async () => {
    const file = path.join(dir, 'config.json');
    await fs.writeFile(`${file}.lock`, '4242\n');
    const started = Date.now();
    setTimeout(() => void fs.rm(`${file}.lock`), 200);
    const enteredAfter = await withFileLock(file, () => Promise.resolve(Date.now() - started));
    expect(enteredAfter).toBeGreaterThanOrEqual(190);
    expect(enteredAfter).toBeLessThan(2000);
  });

  test.each<[string, number, boolean]>([
    ['a lock left 60 s ago by a killed process is taken over at once', 60, true],
    ['a lock 31 s old is stale too', 31, true],
    ['a lock 5 s old is not', 5, false],
  ])('%s', async (_name, ageSeconds, takenOver) => {
    const file = path.join(dir, 'config.json');
    const lock = `${file}.lock`;
    await fs.writeFile(lock, '4242\n');
    const then = new Date(Date.now() - ageSeconds * 1000);
    await fs.utimes(lock, then, then);
    let entered = false;
    const run = withFileLock(file, () => {
      entered = true;
      return Promise.resolve();
    });
    await sleep(200);
    expect(entered).toBe(takenOver);
    if (!takenOver) await fs.rm(lock); // let it finish
    await run;
    expect(entered).toBe(true);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('withFileLock: a lock whose owner is gone', () => {
  test('a lock left by a killed process of this machine is taken over at once, however fresh', async () => {
    const file = path.join(dir, 'config.json');
    await fs.writeFile(`${file}.lock`, await lockTextOf(deadPid(), file));
    const started = Date.now();
    expect(await entersWithin(file, 300)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  test.each<[string, () => number]>([
    ['alive', () => process.ppid],
    [
      'alive, of another user (EPERM)',
      () => {
        const pid = deadPid();
        pretendOtherUsersProcess(pid);
        return pid;
      },
    ],
  ])('a fresh lock of a process that is %s is waited for', async (_name, ownerPid) => {
    const file = path.join(dir, 'config.json');
    await fs.writeFile(`${file}.lock`, await lockTextOf(ownerPid(), file));
    expect(await entersWithin(file, 300)).toBe(false);
  });

  test('a live owner does not keep a lock older than 30 s (its pid may have been reused)', async () => {
    const file = path.join(dir, 'config.json');
    const lock = `${file}.lock`;
    await fs.writeFile(lock, await lockTextOf(process.ppid, file));
    const then = new Date(Date.now() - 31_000);
    await fs.utimes(lock, then, then);
    expect(await entersWithin(file, 300)).toBe(true);
  });

  test.each<[string, (pid: number) => string]>([
    ['of another machine or container', (pid) => `${pid}\nanother-host\n`],
    ['without a machine (an older version of this action)', (pid) => `${pid}\n`],
    ['unreadable (its owner was killed between creating and writing it)', () => ''],
    ['not a pid', () => 'pid 12\n'],
  ])('a lock %s is judged by its age alone', async (_name, text) => {
    const file = path.join(dir, 'config.json');
    const lock = `${file}.lock`;
    const pid = deadPid();
    await fs.writeFile(lock, text(pid));
    expect(await entersWithin(file, 300)).toBe(false);

    await fs.writeFile(lock, text(pid));
    const then = new Date(Date.now() - 31_000);
    await fs.utimes(lock, then, then);
    expect(await entersWithin(file, 300)).toBe(true);
  });

  test("a lock that cannot be read (another user's) is judged by its age, not an error", async () => {
    const file = path.join(dir, 'config.json');
    const lock = `${file}.lock`;
    await fs.writeFile(lock, await lockTextOf(deadPid(), file));
    const open = fs.open.bind(fs);
    jest.spyOn(fs, 'open').mockImplementation((target, flags, mode) => {
      if (target === lock && flags === 'r') {
        return Promise.reject(Object.assign(new Error('open EACCES'), { code: 'EACCES' }));
      }
      return open(target, flags, mode);
    });
    expect(await entersWithin(file, 300)).toBe(false);

    await fs.writeFile(lock, '');
    const then = new Date(Date.now() - 31_000);
    await fs.utimes(lock, then, then);
    expect(await entersWithin(file, 300)).toBe(true);
  });

  test('many waiters on locks abandoned again and again: still one at a time', async () => {
    const file = path.join(dir, 'config.json');
    const lock = `${file}.lock`;
    const abandoned = await lockTextOf(deadPid(), file);
    await fs.writeFile(lock, abandoned);
    let inside = 0;
    let most = 0;
    let entered = 0;
    await Promise.all(
      Array.from({ length: 30 }, async (_unused, index) => {
        await sleep(index % 5);
        await withFileLock(file, async () => {
          inside++;
          entered++;
          most = Math.max(most, inside);
          await sleep(2);
          inside--;
          // Killed while holding it: the lock stays, naming a process that is gone.
          await fs.writeFile(lock, abandoned);
        });
      }),
    );
    expect(entered).toBe(30);
    expect(most).toBe(1);
    expect(await fs.readdir(dir)).toEqual(['config.json.lock']);
  });

  test.each<[string, boolean]>([
    ['with the lock it was removing', true],
    ['after removing it', false],
  ])('a waiter killed while removing an abandoned lock (%s) blocks nobody', async (_name, withLock) => {
    const file = path.join(dir, 'config.json');
    const text = await lockTextOf(deadPid(), file);
    if (withLock) await fs.writeFile(`${file}.lock`, text);
    await fs.writeFile(`${file}.lock.break`, text);
    expect(await entersWithin(file, 500)).toBe(true);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  test('releasing leaves alone a lock that is no longer ours', async () => {
    const file = path.join(dir, 'config.json');
    const lock = `${file}.lock`;
    await withFileLock(file, async () => {
      // Taken over meanwhile (say, after 30 s) by a process of another machine.
      await fs.rm(lock);
      await fs.writeFile(lock, '77\nanother-host\n');
    });
    expect(await fs.readFile(lock, 'utf8')).toBe('77\nanother-host\n');
  });
});

describe('withFileLock: temp files of killed writers', () => {
  test('holding the lock removes <file>.<pid>.<hex>.tmp of processes that are gone, and nothing else', async () => {
    const file = path.join(dir, 'config.json');
    const dead = deadPid();
    const gone = [`config.json.${dead}.0badc0de.tmp`, `config.json.${dead}.00000001.tmp`];
    const kept = [
      `config.json.${process.pid}.0badc0de.tmp`, // ours: a write of this process
      `config.json.${process.ppid}.0badc0de.tmp`, // a live process
      `config.json.1.0badc0de.tmp`, // init: alive, whoever runs the tests
      `other.json.${dead}.0badc0de.tmp`, // another file's
      `config.json.${dead}.tmp`,
      `config.json.${dead}.not-hex.tmp`,
      `config.json.${dead}.0badc0de.tmp.bak`,
      `config.json.0.0badc0de.tmp`,
      `config.json.-${dead}.0badc0de.tmp`,
      'config.json.bak',
      'config.json4035467301', // docker's own temp file
    ];
    for (const name of [...gone, ...kept]) {
      await fs.writeFile(path.join(dir, name), '{"auths": {"x": {"auth": "dG9rZW4="}}', { mode: 0o600 });
    }
    const during = await withFileLock(file, () => fs.readdir(dir));
    expect(during.sort()).toEqual([...kept, 'config.json.lock'].sort());
    expect((await fs.readdir(dir)).sort()).toEqual([...kept].sort());
  });

  test('lock texts staged by processes killed before linking them are removed; the lock is whole from the start', async () => {
    const file = path.join(dir, 'config.json');
    const dead = deadPid();
    const gone = [`config.json.lock.${dead}.0badc0de.new`, `config.json.lock.break.${dead}.0badc0de.new`];
    const kept = [
      `config.json.lock.${process.ppid}.0badc0de.new`,
      `config.json.lock.${dead}.0badc0de.tmp.new`,
    ];
    for (const name of [...gone, ...kept]) await fs.writeFile(path.join(dir, name), `${dead}\nhost\n`);
    const { during, lockText } = await withFileLock(file, async () => ({
      during: await fs.readdir(dir),
      lockText: await fs.readFile(`${file}.lock`, 'utf8'),
    }));
    expect(during.sort()).toEqual([...kept, 'config.json.lock'].sort());
    expect(lockText.split('\n')[0]).toBe(String(process.pid));
    expect((await fs.readdir(dir)).sort()).toEqual([...kept].sort());
  });

  test('a process of another user (EPERM) is alive: its temp file is kept', async () => {
    const file = path.join(dir, 'config.json');
    const pid = deadPid();
    pretendOtherUsersProcess(pid);
    const name = `config.json.${pid}.0badc0de.tmp`;
    await fs.writeFile(path.join(dir, name), '{');
    await withFileLock(file, () => Promise.resolve());
    expect(await fs.readdir(dir)).toEqual([name]);
  });

  test('the temp files next to the file locked: a linked config.json is cleaned where it is written', async () => {
    const file = path.join(dir, 'docker.json');
    const name = `docker.json.${deadPid()}.0badc0de.tmp`;
    await fs.writeFile(path.join(dir, name), '{');
    await withFileLock(file, () => Promise.resolve());
    expect(await fs.readdir(dir)).toEqual([]);
  });

  test('a temp file that cannot be removed does not fail the locked section', async () => {
    const file = path.join(dir, 'config.json');
    const name = `config.json.${deadPid()}.0badc0de.tmp`;
    await fs.mkdir(path.join(dir, name)); // a directory: rm without `recursive` fails
    await fs.writeFile(path.join(dir, name, 'inside'), 'x');
    await expect(withFileLock(file, () => Promise.resolve('done'))).resolves.toBe('done');
  });
});
