import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isInsideDirectory, prepareConfigDir, whyNotADirectory } from '../../src/docker-config/location.js';
import { ActionError } from '../../src/shared/errors.js';

let root: string;
const modeOf = async (dir: string) => (await fs.stat(dir)).mode & 0o777;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'docker-config-location-'));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('prepareConfigDir', () => {
  test('isolated: a new 0700 directory under the parent, unique per call', async () => {
    const parent = path.join(root, 'runner-temp'); // created when missing
    const first = await prepareConfigDir({ kind: 'isolated', parent });
    const second = await prepareConfigDir({ kind: 'isolated', parent });
    expect(first).not.toBe(second);
    for (const dir of [first, second]) {
      expect(path.dirname(dir)).toBe(parent);
      expect(path.basename(dir)).toMatch(/^ecr-push-docker-/);
      expect(await modeOf(dir)).toBe(0o700);
      expect(await fs.readdir(dir)).toEqual([]);
    }
  });

  test.each<['default' | 'path']>([['default'], ['path']])('%s: created 0700 when missing', async (kind) => {
    const dir = path.join(root, 'home', '.docker');
    expect(await prepareConfigDir({ kind, dir })).toBe(dir);
    expect(await modeOf(dir)).toBe(0o700);
  });

  test('an existing directory is used as it is: mode and contents kept', async () => {
    const dir = path.join(root, '.docker');
    await fs.mkdir(dir, { mode: 0o755 });
    await fs.chmod(dir, 0o755);
    await fs.writeFile(path.join(dir, 'config.json'), '{}');
    expect(await prepareConfigDir({ kind: 'default', dir })).toBe(dir);
    expect(await modeOf(dir)).toBe(0o755);
    expect(await fs.readdir(dir)).toEqual(['config.json']);
  });

  test.each<[string, string]>([
    ['a file', 'config.json'],
    ['under a file', 'config.json/docker'],
  ])('%s put there after the inputs were read: a message, not a bare EEXIST', async (_name, name) => {
    await fs.writeFile(path.join(root, 'config.json'), '{}');
    const dir = path.join(root, name);
    const failure = prepareConfigDir({ kind: 'path', dir });
    await expect(failure).rejects.toThrow(ActionError);
    await expect(failure).rejects.toThrow(
      `The docker config directory ${dir} cannot be created: ${path.join(root, 'config.json')} is a file.`,
    );
  });
});

describe('whyNotADirectory', () => {
  test('a directory, or nothing yet: no objection', () => {
    expect(whyNotADirectory(root)).toBeUndefined();
    expect(whyNotADirectory(path.join(root, 'a', 'b'))).toBeUndefined();
  });

  test.each<[string, (file: string) => Promise<void>, string]>([
    ['a file', (file) => fs.writeFile(file, ''), '<file> is a file'],
    [
      'a link to a file',
      async (file) => {
        await fs.writeFile(`${file}.target`, '');
        await fs.symlink(`${file}.target`, file);
      },
      '<file> is a file',
    ],
    [
      'a link to nothing',
      (file) => fs.symlink(`${file}.missing`, file),
      '<file> is a symbolic link to a path that does not exist',
    ],
  ])('%s', async (_name, arrange, reason) => {
    const file = path.join(root, 'x');
    await arrange(file);
    expect(whyNotADirectory(file)).toBe(reason.replace('<file>', file));
  });

  test('a link to a directory is a directory', async () => {
    await fs.mkdir(path.join(root, 'real'));
    await fs.symlink(path.join(root, 'real'), path.join(root, 'link'));
    expect(whyNotADirectory(path.join(root, 'link'))).toBeUndefined();
  });
});

describe('isInsideDirectory', () => {
  test.each<[string, string, string, boolean]>([
    ['itself', '/ws', '/ws', true],
    ['below', '/ws/a/b', '/ws', true],
    ['a trailing slash', '/ws/a/', '/ws/', true],
    ['up and back in', '/ws/a/../b', '/ws', true],
    ['a name starting with two dots', '/ws/..docker', '/ws', true],
    ['a sibling sharing the prefix', '/ws-other/a', '/ws', false],
    ['the parent', '/', '/ws', false],
    ['out through ..', '/ws/../etc', '/ws', false],
  ])('%s', (_name, dir, parent, inside) => {
    expect(isInsideDirectory(dir, parent)).toBe(inside);
  });

  test('links are followed, on either side, also for a path not created yet', async () => {
    const workspace = path.join(root, 'ws');
    await fs.mkdir(path.join(workspace, 'sub'), { recursive: true });
    await fs.symlink(path.join(workspace, 'sub'), path.join(root, 'into-ws'));
    await fs.symlink(workspace, path.join(root, 'ws-link'));
    expect(isInsideDirectory(path.join(root, 'into-ws', 'new', 'dir'), workspace)).toBe(true);
    expect(isInsideDirectory(path.join(workspace, 'x'), path.join(root, 'ws-link'))).toBe(true);
    expect(isInsideDirectory(path.join(root, 'elsewhere'), workspace)).toBe(false);
  });
});
