import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  readTextIfExists,
  resolveConfigFile,
  withFileLock,
  writeFileAtomic,
} from '../src/docker-config/file.js';

let dir: string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const modeOf = async (file: string) => (await fs.stat(file)).mode & 0o777;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'docker-config-file-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

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
          expect(await fs.readFile(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
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
