import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareConfigDir } from '../src/docker-config/location.js';

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
});
