import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  storeCredentials,
  undoCredentials,
  type UndoRecord,
} from '../../src/docker-config/credentials-store.js';
import { authValue, type Login } from '../../src/docker-config/merge.js';
import { installFakeHelper, type FakeHelper } from '../fixtures/docker-config/fake-helper.js';
import { fixturePath } from '../fixtures/paths.js';

const FIXTURE = fixturePath('docker-config', 'config.json');
const STALE = '111111111111.dkr.ecr.eu-west-1.amazonaws.com'; // in the fixture, with an identitytoken
const NEW = '222222222222.dkr.ecr.eu-west-1.amazonaws.com';
const HELPED = '999999999999.dkr.ecr.us-east-1.amazonaws.com'; // credHelpers in the fixture

let dir: string;
let helper: FakeHelper | undefined;
let persisted: UndoRecord[];

const login = (host: string, password = `pw-${host.slice(0, 3)}`): Login => ({
  host,
  username: 'AWS',
  password,
});
const configFile = () => path.join(dir, 'config.json');
const readConfig = async () => JSON.parse(await fs.readFile(configFile(), 'utf8')) as Record<string, unknown>;
/** A snapshot of every record persisted, as the undo file would hold it. */
const persist = (record: UndoRecord) => {
  persisted.push(JSON.parse(JSON.stringify(record)) as UndoRecord);
  return Promise.resolve();
};

async function fixtureText(layout: 'tabs' | '2 spaces' | '4 spaces, no final newline'): Promise<string> {
  const text = await fs.readFile(FIXTURE, 'utf8'); // 2 spaces, final newline
  const config: unknown = JSON.parse(text);
  if (layout === 'tabs') return JSON.stringify(config, null, '\t');
  if (layout === '4 spaces, no final newline') return JSON.stringify(config, null, 4);
  return text;
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'credentials-store-'));
  persisted = [];
  helper = undefined;
});

afterEach(async () => {
  await helper?.remove();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('config.json round trip', () => {
  test.each<['tabs' | '2 spaces' | '4 spaces, no final newline', string]>([
    ['tabs', '{\n\t"auths": {\n\t\t"ghcr.io"'],
    ['2 spaces', '{\n  "auths": {\n    "ghcr.io"'],
    ['4 spaces, no final newline', '{\n    "auths": {\n        "ghcr.io"'],
  ])('%s: login then logout gives back the same bytes', async (layout, start) => {
    const original = await fixtureText(layout);
    await fs.writeFile(configFile(), original, { mode: 0o600 });

    const record = await storeCredentials(dir, [login(STALE), login(NEW)], persist);

    const during = await fs.readFile(configFile(), 'utf8');
    expect(during.startsWith(start)).toBe(true);
    expect(during.endsWith('\n')).toBe(original.endsWith('\n'));
    const config = JSON.parse(during) as { auths: Record<string, unknown> } & Record<string, unknown>;
    const before = JSON.parse(original) as { auths: Record<string, unknown> } & Record<string, unknown>;
    expect(config.auths).toEqual({
      'ghcr.io': before.auths['ghcr.io'],
      [STALE]: { auth: authValue('AWS', 'pw-111') }, // the stale identitytoken is gone
      [NEW]: { auth: authValue('AWS', 'pw-222') },
    });
    expect({ ...config, auths: undefined }).toEqual({ ...before, auths: undefined });
    expect(Object.keys(config)).toEqual(Object.keys(before));
    expect(record.helperChanges).toEqual([]);
    expect(persisted).toEqual([record]);

    const result = await undoCredentials(record);
    expect(result).toEqual({ undone: [STALE, NEW], leftAlone: [] });
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
    expect(await fs.readdir(dir)).toEqual(['config.json']);
  });

  test('a config that did not exist is written as docker writes it, 0600, and removed again', async () => {
    const record = await storeCredentials(dir, [login(NEW)], persist);
    expect(await fs.readFile(configFile(), 'utf8')).toBe(
      `{\n\t"auths": {\n\t\t"${NEW}": {\n\t\t\t"auth": "${authValue('AWS', 'pw-222')}"\n\t\t}\n\t}\n}`,
    );
    expect((await fs.stat(configFile())).mode & 0o777).toBe(0o600);
    expect(record).toMatchObject({ createdFile: true, hadAuthsKey: false });

    await undoCredentials(record);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  test('a config that did not exist is kept when another login added to it meanwhile', async () => {
    const record = await storeCredentials(dir, [login(NEW)], persist);
    const other = await storeCredentials(dir, [login('ghcr.io')], persist);
    expect(other.createdFile).toBe(false);

    const result = await undoCredentials(record);
    expect(result.undone).toEqual([NEW]);
    expect(await readConfig()).toEqual({ auths: { 'ghcr.io': { auth: authValue('AWS', 'pw-ghc') } } });
  });

  test('an entry a later login rewrote is left alone, and reported', async () => {
    await fs.writeFile(configFile(), await fixtureText('tabs'));
    const record = await storeCredentials(dir, [login(NEW)], persist);
    await storeCredentials(dir, [login(NEW, 'newer')], persist); // another job on the same runner

    const result = await undoCredentials(record);
    expect(result).toEqual({ undone: [], leftAlone: [NEW] });
    expect((await readConfig()).auths).toMatchObject({ [NEW]: { auth: authValue('AWS', 'newer') } });
  });

  test('a config.json deleted meanwhile: nothing to undo, nothing created', async () => {
    const record = await storeCredentials(dir, [login(NEW)], persist);
    await fs.rm(configFile());
    expect(await undoCredentials(record)).toEqual({ undone: [], leftAlone: [] });
    expect(await fs.readdir(dir)).toEqual([]);
  });

  test('a symlinked config.json is edited through the link, and restored', async () => {
    const dotfiles = await fs.mkdtemp(path.join(dir, 'dotfiles-'));
    const target = path.join(dotfiles, 'docker-config.json');
    const original = await fixtureText('tabs');
    await fs.writeFile(target, original);
    await fs.symlink(target, configFile());

    const record = await storeCredentials(dir, [login(NEW)], persist);
    expect((await fs.lstat(configFile())).isSymbolicLink()).toBe(true);
    expect((await readConfig()).auths).toHaveProperty([NEW]);

    await undoCredentials(record);
    expect((await fs.lstat(configFile())).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(target, 'utf8')).toBe(original);
  });

  test('an invalid config.json is refused with the isolated advice, and not touched', async () => {
    await fs.writeFile(configFile(), '{"auths": {');
    await expect(storeCredentials(dir, [login(NEW)], persist)).rejects.toThrow(
      /is not valid JSON .*'docker-config: isolated'/,
    );
    expect(await fs.readFile(configFile(), 'utf8')).toBe('{"auths": {');
    expect(persisted).toEqual([]);
    expect(await fs.readdir(dir)).toEqual(['config.json']);
  });

  test('20 concurrent logins into one config each keep their entry; their logouts remove them all', async () => {
    const hosts = Array.from(
      { length: 20 },
      (_unused, index) => `${String(index).padStart(12, '0')}.dkr.ecr.eu-west-1.amazonaws.com`,
    );
    await fs.writeFile(configFile(), await fixtureText('2 spaces'));
    const records = await Promise.all(
      hosts.map((host) => storeCredentials(dir, [login(host, `pw-${host}`)], persist)),
    );

    const { auths } = (await readConfig()) as { auths: Record<string, { auth: string }> };
    for (const host of hosts) expect(auths[host]).toEqual({ auth: authValue('AWS', `pw-${host}`) });
    expect(persisted).toHaveLength(20);

    await Promise.all(records.map((record) => undoCredentials(record)));
    expect(await fs.readFile(configFile(), 'utf8')).toBe(await fixtureText('2 spaces'));
    expect(await fs.readdir(dir)).toEqual(['config.json']);
  });

  test.each<[string, boolean]>([
    ['an existing config.json', true],
    ['a config.json still to be created', false],
  ])('the undo record is persisted before %s is written', async (_name, exists) => {
    const original = exists ? await fixtureText('tabs') : undefined;
    if (original !== undefined) await fs.writeFile(configFile(), original);
    const seenByPersist: (string | undefined)[] = [];
    await storeCredentials(dir, [login(STALE), login(NEW)], async (record) => {
      seenByPersist.push(await fs.readFile(configFile(), 'utf8').catch(() => undefined));
      await persist(record);
    });
    expect(seenByPersist).toEqual([original]);
    expect(persisted).toHaveLength(1);
    expect(persisted[0]).toMatchObject({ createdFile: !exists, hadAuthsKey: exists });
    expect(persisted[0]!.fileChanges.map((change) => change.host)).toEqual([STALE, NEW]);
  });

  test.each<[string, boolean]>([
    ['an existing config.json', true],
    ['no config.json', false],
  ])(
    'killed between persisting and writing (%s): the record undoes nothing, byte for byte',
    async (_name, exists) => {
      const original = exists ? await fixtureText('4 spaces, no final newline') : undefined;
      if (original !== undefined) await fs.writeFile(configFile(), original);
      const killed = new Error('killed');
      await expect(
        storeCredentials(dir, [login(STALE), login(NEW)], async (record) => {
          await persist(record);
          throw killed; // as far as config.json goes, the same as a kill right after the undo record
        }),
      ).rejects.toBe(killed);
      expect(await fs.readFile(configFile(), 'utf8').catch(() => undefined)).toBe(original);

      expect(await undoCredentials(persisted.at(-1)!)).toEqual({ undone: [], leftAlone: [] });
      expect(await fs.readFile(configFile(), 'utf8').catch(() => undefined)).toBe(original);
      expect(await fs.readdir(dir)).toEqual(exists ? ['config.json'] : []);
    },
  );

  test('no logins: nothing written, nothing persisted', async () => {
    const record = await storeCredentials(dir, [], persist);
    expect(record.fileChanges).toEqual([]);
    expect(persisted).toEqual([]);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('credential helpers', () => {
  beforeEach(async () => {
    helper = await installFakeHelper('fake');
  });

  test('credsStore: every login goes to the helper; config.json stays byte for byte the same', async () => {
    const original = '{\n\t"credsStore": "fake"\n}';
    await fs.writeFile(configFile(), original);
    await helper!.seed(STALE, 'previous-user', 'previous-secret');

    const record = await storeCredentials(dir, [login(STALE), login(NEW)], persist);
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
    expect(await helper!.stored(STALE)).toEqual({ ServerURL: STALE, Username: 'AWS', Secret: 'pw-111' });
    expect(await helper!.stored(NEW)).toEqual({ ServerURL: NEW, Username: 'AWS', Secret: 'pw-222' });
    expect(record.helperChanges).toEqual([
      { host: STALE, helper: 'fake', previous: { username: 'previous-user', secret: 'previous-secret' } },
      { host: NEW, helper: 'fake' },
    ]);
    // persisted before each helper write, so a failure or a kill half-way can still be undone
    expect(persisted.map((snapshot) => snapshot.helperChanges.length)).toEqual([1, 2]);
    expect((await helper!.argv()).join('\n')).not.toMatch(/pw-/);

    expect(await undoCredentials(record)).toEqual({ undone: [STALE, NEW], leftAlone: [] });
    expect(await helper!.stored(STALE)).toEqual({
      ServerURL: STALE,
      Username: 'previous-user',
      Secret: 'previous-secret',
    });
    expect(await helper!.stored(NEW)).toBeUndefined();
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
  });

  test('each helper change is persisted before the helper stores the credentials', async () => {
    await fs.writeFile(configFile(), '{"credsStore": "fake"}');
    await helper!.seed(STALE, 'previous-user', 'previous-secret');
    const storedWhenPersisted: (string | undefined)[] = [];
    await storeCredentials(dir, [login(STALE), login(NEW)], async (record) => {
      const last = record.helperChanges.at(-1)!;
      storedWhenPersisted.push((await helper!.stored(last.host))?.Secret);
      await persist(record);
    });
    expect(storedWhenPersisted).toEqual(['previous-secret', undefined]);
    expect(persisted.map((snapshot) => snapshot.helperChanges.map((change) => change.host))).toEqual([
      [STALE],
      [STALE, NEW],
    ]);
  });

  test('credHelpers for one host, config.json for the others', async () => {
    const original = `{\n  "credHelpers": {\n    "${HELPED}": "fake"\n  }\n}\n`;
    await fs.writeFile(configFile(), original);
    const record = await storeCredentials(dir, [login(HELPED), login(NEW)], persist);

    expect(await helper!.stored(HELPED)).toMatchObject({ Secret: 'pw-999' });
    expect(await helper!.stored(NEW)).toBeUndefined();
    expect(await readConfig()).toEqual({
      credHelpers: { [HELPED]: 'fake' },
      auths: { [NEW]: { auth: authValue('AWS', 'pw-222') } },
    });
    expect(persisted.map((snapshot) => [snapshot.fileChanges.length, snapshot.helperChanges.length])).toEqual(
      [
        [1, 0],
        [1, 1],
      ],
    );

    await undoCredentials(record);
    expect(await fs.readFile(configFile(), 'utf8')).toBe(original);
    expect(await helper!.stored(HELPED)).toBeUndefined();
  });

  test('a helper failing on the second host: the persisted record still undoes the first', async () => {
    await fs.writeFile(configFile(), '{"credsStore": "fake"}');
    await helper!.failStoreFor(NEW);
    await expect(storeCredentials(dir, [login(STALE), login(NEW)], persist)).rejects.toThrow(
      `The credential helper 'fake' could not store the credentials for ${NEW}`,
    );
    expect(await helper!.stored(STALE)).toMatchObject({ Secret: 'pw-111' });
    const last = persisted.at(-1)!;
    expect(last.helperChanges).toEqual([{ host: STALE, helper: 'fake' }]);

    await undoCredentials(last);
    expect(await helper!.stored(STALE)).toBeUndefined();
  });

  test('a credsStore helper that is not installed: the isolated advice', async () => {
    await fs.writeFile(configFile(), '{"credsStore": "desktop-not-installed"}');
    await expect(storeCredentials(dir, [login(NEW)], persist)).rejects.toThrow(
      /credential helper 'desktop-not-installed', but docker-credential-desktop-not-installed could not be run .*'docker-config: isolated'/,
    );
    expect(await fs.readFile(configFile(), 'utf8')).toBe('{"credsStore": "desktop-not-installed"}');
  });
});
