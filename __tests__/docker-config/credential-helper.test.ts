import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { helperErase, helperGet, helperStore } from '../../src/docker-config/credential-helper.js';
import { ActionError } from '../../src/shared/errors.js';
import { installFakeHelper, type FakeHelper } from '../fixtures/docker-config/fake-helper.js';

const HOST = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
const SECRET = 'eyJwYXlsb2FkIjoi-very-secret:with=colons';
let helper: FakeHelper;

beforeEach(async () => {
  helper = await installFakeHelper('fake');
});

afterEach(async () => {
  await helper.remove();
});

describe('the credential helper protocol', () => {
  test('store sends the secret on standard input only, never in the arguments', async () => {
    await helperStore('fake', HOST, { username: 'AWS', secret: SECRET });
    expect(await helper.argv()).toEqual(['docker-credential-fake store']);
    expect(await helper.stdin()).toBe(
      `${JSON.stringify({ ServerURL: HOST, Username: 'AWS', Secret: SECRET })}\n`,
    );
    expect((await helper.argv()).join('\n')).not.toContain(SECRET);
    expect(await helper.stored(HOST)).toEqual({ ServerURL: HOST, Username: 'AWS', Secret: SECRET });
  });

  test('get: the stored credentials; the host on standard input', async () => {
    await helper.seed(HOST, 'AWS', SECRET);
    expect(await helperGet('fake', HOST)).toEqual({ username: 'AWS', secret: SECRET });
    expect(await helper.argv()).toEqual(['docker-credential-fake get']);
    expect(await helper.stdin()).toBe(`${HOST}\n`);
  });

  test('get: nothing stored (the helper exits 1) gives undefined', async () => {
    expect(await helperGet('fake', HOST)).toBeUndefined();
  });

  test('erase: removes the credentials; true when the helper succeeded', async () => {
    await helper.seed(HOST, 'AWS', SECRET);
    expect(await helperErase('fake', HOST)).toBe(true);
    expect(await helper.stored(HOST)).toBeUndefined();
    expect(await helperErase('fake', HOST)).toBe(false);
    expect(await helper.argv()).toEqual(['docker-credential-fake erase', 'docker-credential-fake erase']);
  });

  test('store → get → erase round trip', async () => {
    await helperStore('fake', HOST, { username: 'AWS', secret: SECRET });
    expect(await helperGet('fake', HOST)).toEqual({ username: 'AWS', secret: SECRET });
    await helperErase('fake', HOST);
    expect(await helperGet('fake', HOST)).toBeUndefined();
  });

  test('a store the helper refuses names the helper, the host, its reason and the isolated fallback', async () => {
    await helper.failStoreFor(HOST);
    const failure = helperStore('fake', HOST, { username: 'AWS', secret: SECRET });
    await expect(failure).rejects.toThrow(ActionError);
    await expect(failure).rejects.toThrow(
      `The credential helper 'fake' could not store the credentials for ${HOST} (exit 3: error storing credentials - err: keychain locked for ${HOST}). ` +
        `Docker reads ${HOST} through that helper, so a config.json entry would be ignored: use 'docker-config: isolated'.`,
    );
  });
});

describe('helpers that cannot be run', () => {
  test.each<[string, string, RegExp]>([
    [
      'not installed',
      'not-installed-anywhere',
      /^The docker config sends credentials to the credential helper 'not-installed-anywhere', but docker-credential-not-installed-anywhere could not be run \(.+\): install it, or use 'docker-config: isolated'\.$/,
    ],
    ['a path', '../../bin/sh', /credential helper '\.\.\/\.\.\/bin\/sh' that is not a valid helper name/],
    ['an option', '-rf', /'-rf' that is not a valid helper name/],
    ['an empty name', '', /'' that is not a valid helper name/],
  ])('%s', async (_name, name, message) => {
    await expect(helperStore(name, HOST, { username: 'AWS', secret: SECRET })).rejects.toThrow(message);
    await expect(helperGet(name, HOST)).rejects.toThrow(message);
    await expect(helperErase(name, HOST)).rejects.toThrow(message);
    expect(await helper.argv()).toEqual([]);
  });
});
