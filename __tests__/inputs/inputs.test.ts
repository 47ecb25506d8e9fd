import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../src/shared/errors.js';
import { getInputs, parseDockerConfig, parseProxy, redactUrlText } from '../../src/inputs/inputs.js';
import type { Inputs } from '../../src/inputs/types.js';

type Env = Record<string, string | undefined>;

const ID = '123456789012';
const LOGIN_KEYS = [
  'registryType',
  'registries',
  'dockerConfig',
  'maskPassword',
  'skipLogout',
  'proxy',
  'maxAttempts',
] as const satisfies (keyof Inputs)[];
const savedEnv = { ...process.env };
let stdout: string[];

/** Sets the action inputs the way the runner does: `INPUT_<NAME>`, upper case, hyphens kept. */
function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) {
    process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
}

function inputsWith(inputs: Record<string, string>, env: Env = {}): Inputs {
  setInputs(inputs);
  return getInputs(env);
}

function errorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

beforeEach(() => {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('INPUT_')) Reflect.deleteProperty(process.env, name);
  }
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  for (const name of Object.keys(process.env)) {
    if (!(name in savedEnv)) Reflect.deleteProperty(process.env, name);
  }
  Object.assign(process.env, savedEnv);
});

describe('defaults', () => {
  test('only a region: private, own registry, default docker config, masked, logout, 5 attempts', () => {
    const inputs = inputsWith({}, { AWS_REGION: 'eu-west-1', HOME: '/home/runner' });
    // The login's inputs only: the image metadata inputs have tests of their own.
    const login = Object.fromEntries(LOGIN_KEYS.map((key) => [key, inputs[key]]));
    expect(login).toEqual({
      registryType: 'private',
      registries: [{ region: 'eu-west-1', fips: false, dualStack: false }],
      dockerConfig: { kind: 'default', dir: path.join('/home/runner', '.docker') },
      maskPassword: true,
      skipLogout: false,
      proxy: undefined,
      maxAttempts: 5,
    });
  });

  test('the defaults action.yml passes are accepted as they are', () => {
    const inputs = inputsWith(
      {
        'registry-type': 'private',
        'docker-config': 'default',
        'mask-password': 'true',
        'skip-logout': 'false',
        'max-attempts': '5',
      },
      { AWS_REGION: 'eu-west-1', HOME: '/home/runner' },
    );
    expect(inputs).toMatchObject({
      registryType: 'private',
      maskPassword: true,
      skipLogout: false,
      maxAttempts: 5,
    });
  });

  test('input names are read as the runner passes them: INPUT_ + upper case, hyphens kept', () => {
    process.env.INPUT_MAX_ATTEMPTS = '9'; // underscore: not the input 'max-attempts'
    process.env['INPUT_MAX-ATTEMPTS'] = '7';
    expect(getInputs({ AWS_REGION: 'eu-west-1' }).maxAttempts).toBe(7);
  });
});

describe('region precedence', () => {
  test.each<[string, string, Env, string]>([
    [
      'input wins over both variables',
      'ap-south-1',
      { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' },
      'ap-south-1',
    ],
    [
      'AWS_REGION wins over AWS_DEFAULT_REGION',
      '',
      { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' },
      'eu-west-1',
    ],
    ['AWS_DEFAULT_REGION alone', '', { AWS_DEFAULT_REGION: 'us-west-2' }, 'us-west-2'],
    [
      'blank AWS_REGION falls through',
      '',
      { AWS_REGION: '  ', AWS_DEFAULT_REGION: 'us-west-2' },
      'us-west-2',
    ],
    ['input is trimmed', ' ca-central-1 ', {}, 'ca-central-1'],
  ])('%s', (_name, region, env, expected) => {
    const inputs = inputsWith({ region, registries: ID }, env);
    expect(inputs.registries).toEqual([{ accountId: ID, region: expected, fips: false, dualStack: false }]);
  });

  test("a hostname's region wins over the region input", () => {
    const inputs = inputsWith({
      region: 'eu-west-1',
      registries: `${ID}.dkr.ecr.us-east-2.amazonaws.com\n${ID}`,
    });
    expect(inputs.registries.map((spec) => spec.region)).toEqual(['us-east-2', 'eu-west-1']);
  });

  test('hostnames alone need no region at all', () => {
    const inputs = inputsWith({ registries: `${ID}.dkr-ecr.eu-west-3.on.aws` });
    expect(inputs.registries).toEqual([
      {
        accountId: ID,
        region: 'eu-west-3',
        host: `${ID}.dkr-ecr.eu-west-3.on.aws`,
        fips: false,
        dualStack: true,
      },
    ]);
  });

  test('registries: commas, newlines, blanks and comments', () => {
    const inputs = inputsWith(
      { registries: `# ours\n${ID}, 210987654321\n\n111111111111.dkr.ecr.us-west-2.amazonaws.com,` },
      { AWS_REGION: 'eu-west-1' },
    );
    expect(inputs.registries.map((spec) => [spec.accountId, spec.region])).toEqual([
      [ID, 'eu-west-1'],
      ['210987654321', 'eu-west-1'],
      ['111111111111', 'us-west-2'],
    ]);
  });
});

describe('invalid values: InputError naming the input and the value', () => {
  test.each<[string, Record<string, string>, Env, string, string, RegExp]>([
    [
      'registry-type',
      { 'registry-type': 'privat' },
      { AWS_REGION: 'eu-west-1' },
      'registry-type',
      'privat',
      /expected 'private'/,
    ],
    [
      'region input',
      { region: 'eu-west' },
      {},
      'region',
      'eu-west',
      /expected an AWS region such as eu-west-1/,
    ],
    ['AWS_REGION', {}, { AWS_REGION: 'Frankfurt' }, 'AWS_REGION', 'Frankfurt', /expected an AWS region/],
    [
      'AWS_DEFAULT_REGION',
      {},
      { AWS_DEFAULT_REGION: 'eu_west_1' },
      'AWS_DEFAULT_REGION',
      'eu_west_1',
      /expected an AWS region/,
    ],
    ['no region for the own registry', {}, {}, 'region', '', /an empty value is not valid; no AWS region/],
    ['no region for an account ID', { registries: ID }, {}, 'registries', ID, /needs a region/],
    [
      'an 11-digit account',
      { registries: '12345678901' },
      { AWS_REGION: 'eu-west-1' },
      'registries',
      '12345678901',
      /12-digit/,
    ],
    [
      'the second of two registries',
      { registries: `${ID},docker.io` },
      { AWS_REGION: 'eu-west-1' },
      'registries',
      'docker.io',
      /ECR registry hostname/,
    ],
    [
      'public.ecr.aws as private',
      { registries: 'public.ecr.aws' },
      { AWS_REGION: 'eu-west-1' },
      'registries',
      'public.ecr.aws',
      /registry-type: public/,
    ],
    [
      'not a region in a hostname',
      { registries: `${ID}.dkr.ecr.moon-1.amazonaws.com` },
      {},
      'registries',
      `${ID}.dkr.ecr.moon-1.amazonaws.com`,
      /is not an AWS region/,
    ],
    [
      'mask-password',
      { 'mask-password': 'yes' },
      { AWS_REGION: 'eu-west-1' },
      'mask-password',
      'yes',
      /expected 'true' or 'false'/,
    ],
    [
      'skip-logout',
      { 'skip-logout': '1' },
      { AWS_REGION: 'eu-west-1' },
      'skip-logout',
      '1',
      /expected 'true' or 'false'/,
    ],
    [
      'max-attempts 0',
      { 'max-attempts': '0' },
      { AWS_REGION: 'eu-west-1' },
      'max-attempts',
      '0',
      /from 1 to 20/,
    ],
    [
      'max-attempts 21',
      { 'max-attempts': '21' },
      { AWS_REGION: 'eu-west-1' },
      'max-attempts',
      '21',
      /from 1 to 20/,
    ],
    [
      'max-attempts 2.5',
      { 'max-attempts': '2.5' },
      { AWS_REGION: 'eu-west-1' },
      'max-attempts',
      '2.5',
      /whole number/,
    ],
    [
      'max-attempts -1',
      { 'max-attempts': '-1' },
      { AWS_REGION: 'eu-west-1' },
      'max-attempts',
      '-1',
      /whole number/,
    ],
    [
      'max-attempts 1e1',
      { 'max-attempts': '1e1' },
      { AWS_REGION: 'eu-west-1' },
      'max-attempts',
      '1e1',
      /whole number/,
    ],
    [
      'max-attempts five',
      { 'max-attempts': 'five' },
      { AWS_REGION: 'eu-west-1' },
      'max-attempts',
      'five',
      /whole number/,
    ],
    [
      'docker-config with a newline',
      { 'docker-config': 'a\nb' },
      { AWS_REGION: 'eu-west-1' },
      'docker-config',
      'a\nb',
      /'default', 'isolated' or a directory path/,
    ],
    [
      'http-proxy scheme',
      { 'http-proxy': 'socks5://proxy:1080' },
      { AWS_REGION: 'eu-west-1' },
      'http-proxy',
      'socks5://proxy:1080',
      /http:\/\/ or https:\/\//,
    ],
    [
      'http-proxy port',
      { 'http-proxy': 'http://proxy:99999' },
      { AWS_REGION: 'eu-west-1' },
      'http-proxy',
      'http://proxy:99999',
      /proxy URL/,
    ],
    [
      'HTTPS_PROXY',
      {},
      { AWS_REGION: 'eu-west-1', HTTPS_PROXY: 'ftp://proxy' },
      'HTTPS_PROXY',
      'ftp://proxy',
      /http:\/\/ or https:\/\//,
    ],
    [
      'HTTP_PROXY',
      {},
      { AWS_REGION: 'eu-west-1', HTTP_PROXY: 'http://proxy:port' },
      'HTTP_PROXY',
      'http://proxy:port',
      /proxy URL/,
    ],
  ])('%s', (_name, inputs, env, input, value, accepted) => {
    const error = errorOf(() => inputsWith(inputs, env));
    expect(error.input).toBe(input);
    expect(error.value).toBe(value);
    expect(error.message).toContain(`Input '${input}': `);
    if (value !== '') expect(error.message).toContain(`'${value}'`);
    expect(error.message).toMatch(accepted);
  });

  test('values are compared case-insensitively and trimmed where that is harmless', () => {
    const inputs = inputsWith(
      {
        'registry-type': ' PRIVATE ',
        'mask-password': 'FALSE',
        'skip-logout': 'True',
        'max-attempts': ' 20 ',
      },
      { AWS_REGION: 'eu-west-1' },
    );
    expect(inputs).toMatchObject({
      registryType: 'private',
      maskPassword: false,
      skipLogout: true,
      maxAttempts: 20,
    });
  });

  test('a NUL byte in a docker-config path is refused', () => {
    expect(() => parseDockerConfig('a\0b', {})).toThrow(/Input 'docker-config'/);
  });
});

describe('proxy passwords never appear in an error', () => {
  test.each<[string, Record<string, string>, Env, string]>([
    ['unparseable input', { 'http-proxy': 'http://user:secret@' }, {}, 'secret'],
    ['bad port', { 'http-proxy': 'http://user:secret@proxy:99999' }, {}, 'secret'],
    ['wrong scheme', { 'http-proxy': 'socks5://user:secret@proxy:1080' }, {}, 'secret'],
    ['no scheme, bad port', { 'http-proxy': 'user:secret@proxy:port' }, {}, 'secret'],
    ['/ in the password', { 'http-proxy': 'http://user:se/cret@proxy' }, {}, 'cret'],
    ['@ in the password', { 'http-proxy': 'ftp://user:p@ssw0rd@proxy' }, {}, 'ssw0rd'],
    ['from HTTPS_PROXY', {}, { HTTPS_PROXY: 'http://user:secret@:3128' }, 'secret'],
    ['from http_proxy', {}, { http_proxy: 'gopher://user:secret@proxy' }, 'secret'],
  ])('%s', (_name, inputs, env, password) => {
    const error = errorOf(() => inputsWith(inputs, { AWS_REGION: 'eu-west-1', ...env }));
    expect(error.input).toMatch(/proxy/i);
    expect(error.message).not.toContain(password);
    expect(error.value).not.toContain(password);
    expect(error.message).toContain('***@');
  });

  test.each<[string, string]>([
    ['http://user:secret@proxy:3128', 'http://***@proxy:3128'],
    ['http://proxy:3128', 'http://proxy:3128'],
    ['user:secret@proxy', '***@proxy'],
  ])('redactUrlText(%s) is %s', (text, expected) => {
    expect(redactUrlText(text)).toBe(expected);
  });
});

describe('proxy', () => {
  test.each<[string, Record<string, string>, Env, string | undefined]>([
    ['none', {}, {}, undefined],
    [
      'input',
      { 'http-proxy': 'http://proxy.example:3128' },
      { HTTPS_PROXY: 'http://other:1' },
      'http://proxy.example:3128/',
    ],
    ['input without scheme', { 'http-proxy': 'proxy.example:3128' }, {}, 'http://proxy.example:3128/'],
    ['https proxy', { 'http-proxy': 'https://proxy.example' }, {}, 'https://proxy.example/'],
    [
      'HTTPS_PROXY before HTTP_PROXY',
      {},
      { HTTPS_PROXY: 'http://a:1', HTTP_PROXY: 'http://b:2' },
      'http://a:1/',
    ],
    ['https_proxy', {}, { https_proxy: 'http://a:1', HTTP_PROXY: 'http://b:2' }, 'http://a:1/'],
    ['HTTP_PROXY', {}, { HTTP_PROXY: 'http://b:2' }, 'http://b:2/'],
    ['http_proxy', {}, { http_proxy: 'http://c:3' }, 'http://c:3/'],
    ['blank variables are skipped', {}, { HTTPS_PROXY: ' ', HTTP_PROXY: 'http://b:2' }, 'http://b:2/'],
  ])('%s', (_name, inputs, env, expected) => {
    expect(inputsWith(inputs, { AWS_REGION: 'eu-west-1', ...env }).proxy?.href).toBe(expected);
  });

  test('credentials in the proxy URL are kept for the proxy', () => {
    const proxy = parseProxy('http-proxy', 'http://user:p%40ss@proxy:3128');
    expect([proxy?.username, proxy?.password, proxy?.hostname, proxy?.port]).toEqual([
      'user',
      'p%40ss',
      'proxy',
      '3128',
    ]);
  });
});

describe('registry-type public', () => {
  test('ignores registries with a warning, and needs no region', () => {
    const inputs = inputsWith({ 'registry-type': 'public', registries: ID });
    expect(inputs.registryType).toBe('public');
    expect(inputs.registries).toEqual([]);
    expect(stdout.join('')).toContain(
      "::warning::'registries' is ignored with registry-type 'public': ECR Public has one registry, public.ecr.aws.",
    );
  });

  test('no warning without registries', () => {
    expect(inputsWith({ 'registry-type': 'Public' }).registryType).toBe('public');
    expect(stdout.join('')).not.toContain('::warning::');
  });
});

describe('docker-config', () => {
  test.each<[string, string, Env, Inputs['dockerConfig']]>([
    [
      'empty: DOCKER_CONFIG',
      '',
      { DOCKER_CONFIG: '/cfg', HOME: '/home/u' },
      { kind: 'default', dir: '/cfg' },
    ],
    ['default: DOCKER_CONFIG', 'default', { DOCKER_CONFIG: '/cfg' }, { kind: 'default', dir: '/cfg' }],
    ['default: ~/.docker', 'default', { HOME: '/home/u' }, { kind: 'default', dir: '/home/u/.docker' }],
    ['default: no HOME', 'default', {}, { kind: 'default', dir: path.join(os.homedir(), '.docker') }],
    [
      'isolated: RUNNER_TEMP',
      'isolated',
      { RUNNER_TEMP: '/runner/tmp' },
      { kind: 'isolated', parent: '/runner/tmp' },
    ],
    ['isolated: no RUNNER_TEMP', 'isolated', {}, { kind: 'isolated', parent: os.tmpdir() }],
    ['absolute path', '/etc/docker-ci', { DOCKER_CONFIG: '/cfg' }, { kind: 'path', dir: '/etc/docker-ci' }],
    [
      'relative path: under the workspace',
      '.docker-ci',
      { GITHUB_WORKSPACE: '/ws' },
      { kind: 'path', dir: '/ws/.docker-ci' },
    ],
    ['relative path: no workspace', 'cfg', {}, { kind: 'path', dir: path.resolve('cfg') }],
  ])('%s', (_name, value, env, expected) => {
    expect(inputsWith({ 'docker-config': value }, { AWS_REGION: 'eu-west-1', ...env }).dockerConfig).toEqual(
      expected,
    );
  });

  test.each<[string, Inputs['dockerConfig']['kind']]>([
    ['Isolated', 'isolated'],
    ['ISOLATED', 'isolated'],
    [' isolated\t', 'isolated'],
    ['Default', 'default'],
    [' DEFAULT ', 'default'],
  ])("'%s' is the keyword, whatever its case", (value, kind) => {
    const env = { RUNNER_TEMP: '/runner/tmp', HOME: '/home/u', GITHUB_WORKSPACE: '/ws' };
    expect(parseDockerConfig(value, env).kind).toBe(kind);
    expect(
      inputsWith({ 'docker-config': value }, { AWS_REGION: 'eu-west-1', ...env }).dockerConfig.kind,
    ).toBe(kind);
    expect(stdout.join('')).not.toContain('::warning::');
  });

  describe('a directory inside the workspace', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'inputs-docker-config-'));
      mkdirSync(path.join(root, 'ws', 'linked-from-outside'), { recursive: true });
      symlinkSync(path.join(root, 'ws', 'linked-from-outside'), path.join(root, 'link'));
    });
    afterEach(() => {
      rmSync(root, { recursive: true, force: true });
    });

    const at = (text: string) => text.replace('<root>', root);
    /** GITHUB_WORKSPACE is <root>/ws, unless `extra` says otherwise. */
    const envWith = (extra: Env): Env => {
      const env: Env = { GITHUB_WORKSPACE: path.join(root, 'ws') };
      for (const [name, text] of Object.entries(extra)) env[name] = text === undefined ? undefined : at(text);
      return env;
    };
    const warning = (dir: string) =>
      `::warning::docker-config: ${dir} is inside the workspace (GITHUB_WORKSPACE)`;

    test.each<[string, string, Env]>([
      ['a relative path', '.docker-ci', {}],
      ['an absolute path', '<root>/ws/sub/.docker', {}],
      ['the workspace itself', '<root>/ws', {}],
      ['a link from outside into it', '<root>/link', {}],
      ['DOCKER_CONFIG, for default', 'default', { DOCKER_CONFIG: '<root>/ws/.docker' }],
    ])('%s: a warning that suggests isolated', (_name, value, extra) => {
      const choice = parseDockerConfig(at(value), envWith(extra));
      if (choice.kind === 'isolated') throw new Error('expected a directory of its own');
      const printed = stdout.join('');
      expect(printed).toContain(warning(choice.dir));
      expect(printed).toContain(
        "can end up in the context of a 'docker build .' or in an uploaded artifact. " +
          "Use 'docker-config: isolated', or a directory outside the checkout.",
      );
      expect(printed.match(/::warning::/g)).toHaveLength(1);
    });

    test.each<[string, string, Env]>([
      ['a path outside', '<root>/elsewhere', {}],
      ['a sibling that shares its name as a prefix', '<root>/ws-other', {}],
      ['no workspace known', 'cfg', { GITHUB_WORKSPACE: undefined }],
      ['isolated', 'isolated', { RUNNER_TEMP: '<root>/ws/tmp' }],
      ['default, ~/.docker outside', 'default', { HOME: '<root>/home' }],
    ])('%s: no warning', (_name, value, extra) => {
      parseDockerConfig(at(value), envWith(extra));
      expect(stdout.join('')).not.toContain('::warning::');
    });
  });

  describe('a path that is not a directory', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'inputs-docker-config-'));
      writeFileSync(path.join(root, 'config.json'), '{}');
      symlinkSync(path.join(root, 'missing'), path.join(root, 'dangling'));
    });
    afterEach(() => {
      rmSync(root, { recursive: true, force: true });
    });

    test.each<[string, string, RegExp]>([
      ['a file', 'config.json', /expected a directory, but .* is a file/],
      ['under a file', 'config.json/sub', /expected a directory, but .* is a file/],
      [
        'a link to nothing',
        'dangling',
        /expected a directory, but .* is a symbolic link to a path that does not exist/,
      ],
    ])('%s: refused as the input', (_name, name, accepted) => {
      const value = path.join(root, name);
      const error = errorOf(() => inputsWith({ 'docker-config': value }, { AWS_REGION: 'eu-west-1' }));
      expect(error.input).toBe('docker-config');
      expect(error.value).toBe(value);
      expect(error.message).toMatch(accepted);
    });

    test('DOCKER_CONFIG naming a file: refused as DOCKER_CONFIG', () => {
      const file = path.join(root, 'config.json');
      const error = errorOf(() => parseDockerConfig('', { DOCKER_CONFIG: file }));
      expect(error.input).toBe('DOCKER_CONFIG');
      expect(error.value).toBe(file);
      expect(error.message).toMatch(/expected a directory, but .* is a file/);
    });

    test.each<[string, string]>([
      ['an existing directory', '.'],
      ['a directory still to be created', 'a/b/c'],
    ])('%s: accepted', (_name, name) => {
      expect(parseDockerConfig(path.join(root, name), {})).toEqual({
        kind: 'path',
        dir: path.join(root, name),
      });
    });
  });
});
