import { describe, expect, test } from '@jest/globals';
import type { DockerConfig } from '../../src/docker-config/format.js';
import {
  addAuths,
  authValue,
  destinationFor,
  hashAuth,
  removeAuths,
  type Destination,
  type Login,
} from '../../src/docker-config/merge.js';

const HOST = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
const OTHER = '222222222222.dkr.ecr.eu-west-1.amazonaws.com';
const login = (host: string, password = 'pw'): Login => ({ host, username: 'AWS', password });

describe('destinationFor: where docker will read the credentials from', () => {
  test.each<[string, DockerConfig, Destination]>([
    ['neither: config.json auths', { auths: {} }, { kind: 'file' }],
    ['empty config', {}, { kind: 'file' }],
    ['credsStore', { credsStore: 'desktop' }, { kind: 'helper', helper: 'desktop', setBy: 'credsStore' }],
    ['empty credsStore is no store', { credsStore: '' }, { kind: 'file' }],
    [
      'credHelpers for this host wins over credsStore',
      { credsStore: 'desktop', credHelpers: { [HOST]: 'ecr-login' } },
      { kind: 'helper', helper: 'ecr-login', setBy: 'credHelpers' },
    ],
    ['credHelpers for another host only', { credHelpers: { [OTHER]: 'ecr-login' } }, { kind: 'file' }],
    [
      'credHelpers for another host, credsStore set',
      { credsStore: 'pass', credHelpers: { [OTHER]: 'ecr-login' } },
      { kind: 'helper', helper: 'pass', setBy: 'credsStore' },
    ],
    ['an empty credHelpers entry falls through', { credHelpers: { [HOST]: '' } }, { kind: 'file' }],
  ])('%s', (_name, config, destination) => {
    expect(destinationFor(config, HOST)).toEqual(destination);
  });
});

describe('addAuths', () => {
  test('keeps every other key and entry, in their order', () => {
    const config: DockerConfig = {
      auths: { 'ghcr.io': { auth: 'Z2g=' } },
      credHelpers: { [OTHER]: 'ecr-login' },
      proxies: { default: { httpProxy: 'http://p:3128' } },
      'x-unknown': [1, 2],
    };
    const before = structuredClone(config);
    const { config: next, changes } = addAuths(config, [login(HOST)]);
    expect(next).toEqual({
      ...before,
      auths: { 'ghcr.io': { auth: 'Z2g=' }, [HOST]: { auth: authValue('AWS', 'pw') } },
    });
    expect(Object.keys(next)).toEqual(Object.keys(before));
    expect(config).toEqual(before); // the input is not modified
    expect(changes).toEqual([{ host: HOST, writtenHash: hashAuth(authValue('AWS', 'pw')) }]);
  });

  test('replaces a stale entry with only `auth` (a stale identitytoken would win), remembering the old one', () => {
    const stale = { auth: 'b2xk', identitytoken: 'refresh-token', email: 'x@y' };
    const { config, changes } = addAuths({ auths: { [HOST]: stale } }, [login(HOST)]);
    expect(config.auths?.[HOST]).toEqual({ auth: authValue('AWS', 'pw') });
    expect(changes).toEqual([{ host: HOST, previous: stale, writtenHash: hashAuth(authValue('AWS', 'pw')) }]);
  });

  test('the same host twice: one change, the last password, the original previous entry', () => {
    const { config, changes } = addAuths({ auths: { [HOST]: { auth: 'b2xk' } } }, [
      login(HOST, 'first'),
      login(HOST, 'second'),
    ]);
    expect(config.auths?.[HOST]).toEqual({ auth: authValue('AWS', 'second') });
    expect(changes).toEqual([
      { host: HOST, previous: { auth: 'b2xk' }, writtenHash: hashAuth(authValue('AWS', 'second')) },
    ]);
  });

  test('the auth value is base64 of user:password, as docker login writes it', () => {
    expect(Buffer.from(authValue('AWS', 'p:w=ü'), 'base64').toString('utf8')).toBe('AWS:p:w=ü');
  });
});

describe('removeAuths', () => {
  const ours = authValue('AWS', 'pw');

  test.each<{
    name: string;
    before: DockerConfig;
    logins: Login[];
    /** Applied to the config between login and logout, as another step or job would. */
    meanwhile?: (config: DockerConfig) => DockerConfig;
    after: DockerConfig;
    undone: string[];
    leftAlone: string[];
  }>([
    {
      name: 'removes a new entry; restores a replaced one',
      before: { auths: { [OTHER]: { auth: 'b2xk', identitytoken: 't' } }, credsStore: '' },
      logins: [login(HOST), login(OTHER)],
      after: { auths: { [OTHER]: { auth: 'b2xk', identitytoken: 't' } }, credsStore: '' },
      undone: [HOST, OTHER],
      leftAlone: [],
    },
    {
      name: "removes the auths key only if it wasn't there",
      before: { currentContext: 'default' },
      logins: [login(HOST)],
      after: { currentContext: 'default' },
      undone: [HOST],
      leftAlone: [],
    },
    {
      name: 'keeps an empty auths key that was there',
      before: { auths: {} },
      logins: [login(HOST)],
      after: { auths: {} },
      undone: [HOST],
      leftAlone: [],
    },
    {
      name: 'keeps an auths key another login added meanwhile',
      before: {},
      logins: [login(HOST)],
      meanwhile: (config) => ({ ...config, auths: { ...config.auths, 'ghcr.io': { auth: 'Z2g=' } } }),
      after: { auths: { 'ghcr.io': { auth: 'Z2g=' } } },
      undone: [HOST],
      leftAlone: [],
    },
    {
      name: 'leaves alone an entry that a later login rewrote',
      before: { auths: { [HOST]: { auth: 'b2xk' } } },
      logins: [login(HOST)],
      meanwhile: (config) => ({
        ...config,
        auths: { ...config.auths, [HOST]: { auth: authValue('AWS', 'newer') } },
      }),
      after: { auths: { [HOST]: { auth: authValue('AWS', 'newer') } } },
      undone: [],
      leftAlone: [HOST],
    },
    {
      name: 'leaves alone an entry rewritten as an identity token',
      before: {},
      logins: [login(HOST)],
      meanwhile: (config) => ({ ...config, auths: { [HOST]: { identitytoken: 'tok' } } }),
      after: { auths: { [HOST]: { identitytoken: 'tok' } } },
      undone: [],
      leftAlone: [HOST],
    },
    {
      name: 'an entry someone already removed: nothing to do',
      before: { auths: { 'ghcr.io': { auth: 'Z2g=' } } },
      logins: [login(HOST)],
      meanwhile: (config) => ({ ...config, auths: { 'ghcr.io': { auth: 'Z2g=' } } }),
      after: { auths: { 'ghcr.io': { auth: 'Z2g=' } } },
      undone: [],
      leftAlone: [],
    },
    {
      name: 'an entry holding again what it held before (our write never happened): nothing to do',
      before: { auths: { [HOST]: { auth: 'b2xk', identitytoken: 't' } } },
      logins: [login(HOST)],
      meanwhile: () => ({ auths: { [HOST]: { auth: 'b2xk', identitytoken: 't' } } }),
      after: { auths: { [HOST]: { auth: 'b2xk', identitytoken: 't' } } },
      undone: [],
      leftAlone: [],
    },
    {
      name: 'other keys changed meanwhile are kept',
      before: { auths: {} },
      logins: [login(HOST)],
      meanwhile: (config) => ({ ...config, currentContext: 'remote' }),
      after: { auths: {}, currentContext: 'remote' },
      undone: [HOST],
      leftAlone: [],
    },
  ])('$name', ({ before, logins, meanwhile, after, undone, leftAlone }) => {
    const added = addAuths(before, logins);
    for (const entry of logins) expect(added.config.auths?.[entry.host]).toEqual({ auth: ours });
    const current = meanwhile ? meanwhile(added.config) : added.config;
    const result = removeAuths(current, added.changes, before.auths !== undefined);
    expect(result.config).toEqual(after);
    expect(JSON.stringify(result.config)).toBe(JSON.stringify(after)); // key order too
    expect(result.undone).toEqual(undone);
    expect(result.leftAlone).toEqual(leftAlone);
  });
});
