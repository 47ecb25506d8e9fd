import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildxOnlyInputs,
  buildxPlatforms,
  parseBuildArgs,
  parseBuildInputs,
  parsePlatforms,
  parseSecrets,
  type BuildInputs,
} from '../../src/builder/inputs.js';
import { InputError } from '../../src/shared/errors.js';

/**
 * The workspace every test builds in:
 *   Dockerfile            the default build
 *   app/Dockerfile        a sub-directory context
 *   other/Containerfile   a context without a Dockerfile
 */
let workspace: string;

beforeAll(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'ecr-push-build-inputs-'));
  writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
  mkdirSync(path.join(workspace, 'app'));
  writeFileSync(path.join(workspace, 'app', 'Dockerfile'), 'FROM scratch\n');
  mkdirSync(path.join(workspace, 'other'));
  writeFileSync(path.join(workspace, 'other', 'Containerfile'), 'FROM scratch\n');
});

afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
});

const REPOSITORY = 'team/app';
const NO_OPTIONS = {
  load: false,
  noCache: false,
  pull: false,
  buildContexts: [],
  ssh: [],
  annotations: [],
  addHosts: [],
  ulimits: [],
  allow: [],
  secrets: [],
};

/** Parses the inputs as the action does, every input not given being empty. */
function parse(values: Record<string, string>, repository: string | null = REPOSITORY): BuildInputs {
  return parseBuildInputs(
    (name) => values[name] ?? '',
    { GITHUB_WORKSPACE: workspace },
    repository ?? undefined,
  );
}

function build(values: Record<string, string>): BuildInputs {
  return parse({ build: 'true', ...values });
}

function inputErrorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** What every build input means when it is not given (mode and context aside). */
const DEFAULTS = {
  buildArgs: [],
  labelBuildArgs: true,
  platforms: [],
  cache: false,
  cacheFrom: [],
  cacheTo: [],
  provenance: 'false',
  sbom: false,
  lambda: false,
  mergeDigests: [],
  pushByDigest: false,
  skipExisting: false,
  builder: 'auto',
  push: 'auto',
  secrets: [],
  options: NO_OPTIONS,
};

describe('parseBuildInputs: what is pushed', () => {
  test('no build and no source-image: login and repository only, nothing checked on disk', () => {
    expect(parse({}, null)).toStrictEqual({ mode: 'none', context: '.', ...DEFAULTS });
  });

  test('build: true with every default builds the workspace with its Dockerfile', () => {
    expect(build({})).toStrictEqual({ mode: 'build', context: workspace, ...DEFAULTS });
  });

  test.each(['true', 'TRUE', ' True '])('build: %j builds', (value) => {
    expect(parse({ build: value }).mode).toBe('build');
  });

  test.each(['false', 'FALSE', ''])('build: %j does not build', (value) => {
    expect(parse({ build: value }).mode).toBe('none');
  });

  test.each(['yes', '1', 'on', 'truee'])('build: %j is rejected', (value) => {
    const error = inputErrorOf(() => parse({ build: value }));
    expect(error.message).toBe(`Input 'build': '${value}' is not valid; expected 'true' or 'false'.`);
  });

  test.each(['app:ci', 'sha256:' + 'a'.repeat(64), 'localhost:5000/team/app:1.2.3', 'app@sha256:abc'])(
    'source-image %j pushes an image built earlier',
    (image) => {
      const inputs = parse({ 'source-image': ` ${image} ` });
      expect(inputs.mode).toBe('source-image');
      expect(inputs.sourceImage).toBe(image);
    },
  );

  test.each(['--privileged', '-q', 'app ci', 'app:ci;id', '$(id)', 'app\nci'])(
    'source-image %j is rejected',
    (image) => {
      const error = inputErrorOf(() => parse({ 'source-image': image }));
      expect(error.input).toBe('source-image');
      expect(error.message).toMatch(/^Input 'source-image': .* expected a local image reference/s);
    },
  );

  test('build and source-image together are rejected', () => {
    const error = inputErrorOf(() => parse({ build: 'true', 'source-image': 'app:ci' }));
    expect(error.message).toBe(
      "Input 'source-image': 'app:ci' is not valid; set either 'build: true' or 'source-image', not both.",
    );
  });

  test.each([
    [{ build: 'true' }, 'required with build'],
    [{ 'source-image': 'app:ci' }, 'required with source-image'],
  ])('%j without a repository is rejected', (values, expected) => {
    const error = inputErrorOf(() => parse(values, null));
    expect(error.input).toBe('repository');
    expect(error.message).toContain(expected);
    expect(error.message).toContain('name the ECR repository to push to');
  });
});

describe('parseBuildInputs: context and file', () => {
  test.each([
    ['', () => workspace],
    ['.', () => workspace],
    ['app', () => path.join(workspace, 'app')],
    ['./app/', () => path.join(workspace, 'app')],
    [' app ', () => path.join(workspace, 'app')],
  ])('context %j is the absolute directory in the workspace', (context, expected) => {
    expect(build({ context }).context).toBe(expected());
  });

  test('an absolute context is kept as it is', () => {
    const context = path.join(workspace, 'app');
    expect(build({ context }).context).toBe(context);
  });

  test.each([
    ['missing', 'missing'],
    ['Dockerfile', 'Dockerfile'],
  ])('context %j, not a directory, is rejected', (context, shown) => {
    const error = inputErrorOf(() => build({ context }));
    expect(error.message).toBe(
      `Input 'context': '${shown}' is not valid; expected a directory; ${path.join(workspace, context)} is not one.`,
    );
  });

  test.each([
    'https://github.com/octo/app.git#main',
    'http://example.com/context.tar.gz',
    'git@github.com:octo/app.git',
    'git://example.com/octo/app',
    'github.com/octo/app',
    'HTTPS://GITHUB.COM/octo/app.git',
  ])('remote context %j is passed to the builder as it is, without a Dockerfile check', (context) => {
    const inputs = build({ context });
    expect(inputs.context).toBe(context);
    expect(inputs.file).toBeUndefined();
  });

  test('a context without a Dockerfile and no file is rejected, naming the context', () => {
    const error = inputErrorOf(() => build({ context: 'other' }));
    expect(error.input).toBe('file');
    expect(error.message).toBe(
      `Input 'file': an empty value is not valid; there is no Dockerfile in the context ${path.join(workspace, 'other')}: ` +
        "name the Dockerfile with 'file', or set 'context'.",
    );
  });

  test('file names the Dockerfile, relative to the workspace', () => {
    const inputs = build({ context: 'other', file: 'other/Containerfile' });
    expect(inputs.context).toBe(path.join(workspace, 'other'));
    expect(inputs.file).toBe(path.join(workspace, 'other', 'Containerfile'));
  });

  test.each([
    ['app', 'app'],
    ['app/Containerfile', 'app/Containerfile'],
  ])('file %j, not a file, is rejected', (file, shown) => {
    const error = inputErrorOf(() => build({ file }));
    expect(error.message).toBe(
      `Input 'file': '${shown}' is not valid; expected a Dockerfile; ${path.join(workspace, file)} is not a file.`,
    );
  });
});

describe('parseBuildInputs: target', () => {
  test.each([
    ['', undefined],
    ['builder', 'builder'],
    ['stage-1', 'stage-1'],
    ['Final.v2_x', 'Final.v2_x'],
    ['  prod  ', 'prod'],
  ])('target %j', (target, expected) => {
    expect(build({ target }).target).toBe(expected);
  });

  test.each(['-x', '--target=x', 'a b', 'a;b', '.hidden', '_private', '$(id)', 'a/b'])(
    'target %j is rejected',
    (target) => {
      const error = inputErrorOf(() => build({ target }));
      expect(error.message).toBe(
        `Input 'target': '${target}' is not valid; expected a build stage name: a letter, then letters, digits, _ . -.`,
      );
    },
  );
});

describe('parseBuildArgs', () => {
  test.each<[string, [string, string][]]>([
    ['', []],
    ['VERSION=1.2.3', [['VERSION', '1.2.3']]],
    ['LIST=a,b,c', [['LIST', 'a,b,c']]],
    ['URL=https://example.com/?a=b&c=d', [['URL', 'https://example.com/?a=b&c=d']]],
    ['EMPTY=', [['EMPTY', '']]],
    ['  _X1=padded value  ', [['_X1', 'padded value']]],
    ['HASH=a # not a comment', [['HASH', 'a # not a comment']]],
    ['QUOTED="a b"', [['QUOTED', '"a b"']]],
    [
      '# the versions\nA=1\n\n   \nb_2=two\r\n# A=ignored\nA=3',
      [
        ['A', '1'],
        ['b_2', 'two'],
        ['A', '3'],
      ],
    ],
  ])('%j', (text, expected) => {
    expect(parseBuildArgs(text)).toEqual(expected);
  });

  test.each(['NAME', 'A=1\nLONELY'])('a bare NAME (%j) is rejected, pointing to secrets', (text) => {
    const error = inputErrorOf(() => parseBuildArgs(text));
    expect(error.message).toMatch(/^Input 'build-args': '(NAME|LONELY)' is not valid; expected NAME=VALUE/);
    expect(error.message).toContain('secrets');
  });

  test.each(['1A=x', 'A-B=x', '=x', 'A B=x', 'A = 1', '$(id)=x', 'A.B=x', '--privileged=x'])(
    'a bad name (%j) is rejected',
    (text) => {
      const error = inputErrorOf(() => parseBuildArgs(text));
      expect(error.message).toBe(
        `Input 'build-args': '${text}' is not valid; ` +
          'expected NAME=VALUE with a NAME of letters, digits and _, not starting with a digit.',
      );
    },
  );

  test('parseBuildInputs keeps them in order', () => {
    expect(build({ 'build-args': 'A=1\nB=x,y' }).buildArgs).toEqual([
      ['A', '1'],
      ['B', 'x,y'],
    ]);
  });
});

describe('parseBuildInputs: label-build-args, builder, push, cache, provenance', () => {
  test.each([
    ['', true],
    ['true', true],
    ['TRUE', true],
    ['false', false],
    [' False ', false],
  ])('label-build-args %j', (value, expected) => {
    expect(build({ 'label-build-args': value }).labelBuildArgs).toBe(expected);
  });

  test.each(['no', '0', 'off'])('label-build-args %j is rejected', (value) => {
    const error = inputErrorOf(() => build({ 'label-build-args': value }));
    expect(error.message).toBe(
      `Input 'label-build-args': '${value}' is not valid; expected 'true' or 'false'.`,
    );
  });

  test.each([
    ['', 'auto'],
    ['auto', 'auto'],
    ['buildx', 'buildx'],
    ['BuildX', 'buildx'],
    [' Docker ', 'docker'],
  ])('builder %j', (value, expected) => {
    expect(build({ builder: value }).builder).toBe(expected);
  });

  test.each(['builder-1', 'my_builder', 'eks.remote'])(
    'builder %j: a buildx builder instance by name (what docker/setup-buildx-action outputs)',
    (value) => {
      expect(build({ builder: value })).toMatchObject({ builder: 'buildx', builderName: value });
      expect(buildxOnlyInputs(build({ builder: value }))).toEqual(['builder']);
    },
  );

  test.each(['--driver=remote', 'a b', '../x', '-x'])('builder %j is rejected', (value) => {
    const error = inputErrorOf(() => build({ builder: value }));
    expect(error.input).toBe('builder');
    expect(error.message).toMatch(/expected 'auto', 'buildx', 'docker' or the name of a buildx builder/);
  });

  test.each([
    ['', 'auto'],
    ['AUTO', 'auto'],
    ['true', 'true'],
    ['TRUE', 'true'],
    ['false', 'false'],
  ])('push %j', (value, expected) => {
    expect(build({ push: value }).push).toBe(expected);
  });

  test.each(['yes', '1', 'always'])('push %j is rejected', (value) => {
    const error = inputErrorOf(() => build({ push: value }));
    expect(error.message).toBe(`Input 'push': '${value}' is not valid; expected 'auto', 'true', 'false'.`);
  });

  test.each([
    ['ecr', true],
    ['ECR', true],
    [' ecr ', true],
    ['', false],
    ['false', false],
    ['none', false],
    ['NONE', false],
  ])('cache %j', (value, expected) => {
    expect(build({ cache: value }).cache).toBe(expected);
  });

  test.each(['true', 'gha', 'registry', 'type=gha', 'ecr,gha'])('cache %j is rejected', (value) => {
    const error = inputErrorOf(() => build({ cache: value }));
    expect(error.message).toBe(
      `Input 'cache': '${value}' is not valid; expected 'ecr' (a BuildKit cache stored in the repository), ` +
        'or empty; use cache-from/cache-to for others.',
    );
  });

  test('cache-from and cache-to: one entry per line, commas kept, comments dropped', () => {
    const inputs = build({
      'cache-from': 'type=registry,ref=123.dkr.ecr.eu-west-1.amazonaws.com/team/app:cache\n# old\n\ntype=gha',
      'cache-to': ' type=gha,mode=max ',
    });
    expect(inputs.cacheFrom).toEqual([
      'type=registry,ref=123.dkr.ecr.eu-west-1.amazonaws.com/team/app:cache',
      'type=gha',
    ]);
    expect(inputs.cacheTo).toEqual(['type=gha,mode=max']);
  });

  test.each([
    ['', 'false'],
    ['false', 'false'],
    ['FALSE', 'false'],
    ['True', 'true'],
    ['mode=max', 'mode=max'],
    [' mode=min ', 'mode=min'],
    ['mode=max,builder-id=https://github.com/octo/app', 'mode=max,builder-id=https://github.com/octo/app'],
  ])('provenance %j', (value, expected) => {
    expect(build({ provenance: value }).provenance).toBe(expected);
  });

  test.each(['max', 'yes', 'mode = max', 'mode=max extra', '=max'])('provenance %j is rejected', (value) => {
    const error = inputErrorOf(() => build({ provenance: value }));
    expect(error.message).toMatch(
      /^Input 'provenance': .* expected 'false' \(the default\), 'true', 'mode=min'/,
    );
  });
});

describe('parsePlatforms', () => {
  test.each([
    ['', []],
    ['linux/amd64', ['linux/amd64']],
    ['linux/amd64,linux/arm64', ['linux/amd64', 'linux/arm64']],
    [' linux/amd64 ,\nlinux/arm/v7\n# windows/amd64\n', ['linux/amd64', 'linux/arm/v7']],
    ['linux/arm64,', ['linux/arm64']],
    ['linux/x86_64', ['linux/x86_64']],
  ])('%j', (text, expected) => {
    expect(parsePlatforms(text)).toEqual(expected);
  });

  test.each(['amd64', 'Linux/AMD64', 'linux/amd64/v2/x', 'linux/--privileged', 'linux/amd64;id', 'linux/'])(
    '%j is rejected',
    (platform) => {
      const error = inputErrorOf(() => parsePlatforms(platform));
      expect(error.message).toBe(
        `Input 'platforms': '${platform}' is not valid; expected OS/ARCH[/VARIANT] such as linux/amd64, linux/arm64.`,
      );
    },
  );
});

describe('parseSecrets', () => {
  test.each([
    ['', []],
    ['NPM_TOKEN=abc123', [{ id: 'NPM_TOKEN', value: 'abc123' }]],
    ['npm.token=a=b,c', [{ id: 'npm.token', value: 'a=b,c' }]],
    ['EMPTY=', [{ id: 'EMPTY', value: '' }]],
    ['  X=v  ', [{ id: 'X', value: 'v' }]],
    [
      'id=aws,src=/home/runner/.aws/credentials',
      [{ raw: 'id=aws,src=/home/runner/.aws/credentials', id: 'aws' }],
    ],
    ['id=gh,env=GITHUB_TOKEN', [{ raw: 'id=gh,env=GITHUB_TOKEN', id: 'gh' }]],
    [
      '# tokens\nA=1\n\nid=b,env=B_TOKEN\n',
      [
        { id: 'A', value: '1' },
        { raw: 'id=b,env=B_TOKEN', id: 'b' },
      ],
    ],
  ])('%j', (text, expected) => {
    expect(parseSecrets(text)).toEqual(expected);
  });

  const SECRET = 'hunter2-s3cr3t';

  test.each([SECRET, `=${SECRET}`, `bad name=${SECRET}`, `a/b=${SECRET}`, `A=1\n${SECRET}`])(
    'a bad line (%j) is rejected without repeating it',
    (text) => {
      const error = inputErrorOf(() => parseSecrets(text));
      expect(error.input).toBe('secrets');
      expect(error.message).toMatch(/^Input 'secrets': /);
      expect(error.message).toContain('expected NAME=VALUE, id=NAME,src=FILE or id=NAME,env=VARIABLE');
      expect(error.message).not.toContain(SECRET);
      expect(error.value).not.toContain(SECRET);
    },
  );

  test.each([
    `TOKEN=${SECRET}-1\nTOKEN=${SECRET}-2`,
    `id=TOKEN,src=/tmp/token\nTOKEN=${SECRET}`,
    'id=TOKEN,env=A\nid=TOKEN,env=B',
  ])('a NAME given twice (%j) is rejected, naming it but not its values', (text) => {
    const error = inputErrorOf(() => parseSecrets(text));
    expect(error.message).toBe("Input 'secrets': 'TOKEN' is not valid; each secret NAME may appear once.");
    expect(error.message).not.toContain(SECRET);
  });

  // A typo in buildx's form should be reported, not turned into a secret named 'id' holding the rest.
  test.each(['id=my token,src=/tmp/token', 'id=token,src=', 'id=token,file=/tmp/token'])(
    'a malformed id=...,src=/env= line (%j) is rejected',
    (text) => {
      expect(() => parseSecrets(text)).toThrow(InputError);
    },
  );

  test('parseBuildInputs reads them from secrets', () => {
    expect(build({ secrets: 'A=1' }).secrets).toEqual([{ id: 'A', value: '1' }]);
  });
});

describe('build settings without build', () => {
  test.each([
    ['file', 'Dockerfile'],
    ['target', 'prod'],
    ['build-args', 'A=1'],
    ['platforms', 'linux/amd64'],
    ['cache', 'ecr'],
    ['cache-from', 'type=gha'],
    ['cache-to', 'type=gha'],
  ])('%s alone is rejected: it would be ignored', (name, value) => {
    const error = inputErrorOf(() => parse({ [name]: value }));
    expect(error.message).toBe(`Input '${name}': '${value}' is not valid; only used with 'build: true'.`);
  });

  test('with source-image the message says why', () => {
    const error = inputErrorOf(() => parse({ 'source-image': 'app:ci', target: 'prod' }));
    expect(error.message).toBe(
      "Input 'target': 'prod' is not valid; only used with 'build: true' (source-image pushes an image built earlier).",
    );
  });

  test('several: the error names the first one', () => {
    const error = inputErrorOf(() =>
      parse({ cache: 'ecr', platforms: 'linux/amd64', 'build-args': 'A=1', file: 'Dockerfile' }),
    );
    expect(error.input).toBe('file');
  });

  test.each(['cache', 'build'])('%s: false is not a build setting', (name) => {
    expect(parse({ [name]: 'false' }).mode).toBe('none');
  });

  test('settings that have a default without build are accepted', () => {
    const inputs = parse({
      context: 'nowhere',
      'label-build-args': 'false',
      provenance: 'mode=max',
      builder: 'docker',
      push: 'false',
    });
    expect(inputs.mode).toBe('none');
    expect(inputs.context).toBe('nowhere');
  });

  // `none` turns the cache off as `false` does (see the cache table above), so it is no build setting either.
  test('cache: none is not a build setting', () => {
    expect(parse({ cache: 'none' }).mode).toBe('none');
  });

  // The error of a `secrets` input given without build must not print the secret, as every other one does.
  test('secrets alone is rejected without printing the secret', () => {
    const error = inputErrorOf(() => parse({ secrets: 'NPM_TOKEN=hunter2-s3cr3t' }));
    expect(error.input).toBe('secrets');
    expect(error.message).toContain("only used with 'build: true'");
    expect(error.message).not.toContain('hunter2-s3cr3t');
  });
});

describe('buildxOnlyInputs', () => {
  test('nothing by default, nor for settings docker build honours too', () => {
    expect(
      buildxOnlyInputs(
        build({ target: 'prod', 'build-args': 'A=1', file: 'Dockerfile', 'label-build-args': 'false' }),
      ),
    ).toEqual([]);
  });

  test.each([
    ['platforms', 'linux/arm64'],
    ['cache', 'ecr'],
    ['cache-from', 'type=gha'],
    ['cache-to', 'type=gha'],
    ['provenance', 'mode=max'],
    ['provenance', 'true'],
    ['secrets', 'A=1'],
    ['sbom', 'true'],
  ])('%s: %j', (name, value) => {
    expect(buildxOnlyInputs(build({ [name]: value }))).toEqual([name]);
  });

  test('every one, in order', () => {
    expect(
      buildxOnlyInputs(
        build({
          secrets: 'A=1',
          provenance: 'mode=min',
          'cache-to': 'type=gha',
          'cache-from': 'type=gha',
          cache: 'ecr',
          platforms: 'linux/amd64',
        }),
      ),
    ).toEqual(['platforms', 'cache', 'cache-from', 'cache-to', 'provenance', 'secrets']);
  });

  test('provenance: false is not buildx-only', () => {
    expect(buildxOnlyInputs(build({ provenance: 'false' }))).toEqual([]);
  });
});

describe('lambda: an image AWS Lambda can run', () => {
  test('one platform, linux/amd64 by default for buildx; the classic builder needs none', () => {
    const inputs = build({ lambda: 'true' });
    expect(inputs.lambda).toBe(true);
    expect(inputs.platforms).toEqual([]);
    expect(buildxOnlyInputs(inputs)).toEqual([]);
    expect(buildxPlatforms(inputs)).toEqual(['linux/amd64']);
    expect(buildxPlatforms(build({ lambda: 'true', platforms: 'linux/arm64' }))).toEqual(['linux/arm64']);
    expect(buildxPlatforms(build({ platforms: '' }))).toEqual([]);
  });

  test.each<[string, Record<string, string>, string, RegExp]>([
    [
      'two platforms',
      { platforms: 'linux/amd64,linux/arm64' },
      'platforms',
      /one platform .*Lambda cannot run an image index/,
    ],
    ['provenance', { provenance: 'mode=max' }, 'provenance', /no attestation .*remove provenance/],
    ['an SBOM', { sbom: 'true' }, 'sbom', /no attestation .*remove sbom/],
  ])('%s is refused, naming the input and the fix', (_name, values, input, message) => {
    const error = inputErrorOf(() => build({ lambda: 'true', ...values }));
    expect(error.input).toBe(input);
    expect(error.message).toMatch(message);
  });

  test('lambda and sbom without build are mistakes', () => {
    expect(inputErrorOf(() => parse({ lambda: 'true' })).input).toBe('lambda');
    expect(inputErrorOf(() => parse({ sbom: 'true' })).input).toBe('sbom');
  });
});

describe('parseBuildInputs: many runners', () => {
  const A = `sha256:${'a'.repeat(64)}`;

  test('merge-digests alone is a merge: no build, the digests kept', () => {
    const inputs = parse({ 'merge-digests': A });
    expect(inputs.mode).toBe('merge');
    expect(inputs.mergeDigests).toEqual([{ digest: A }]);
  });

  test.each([
    [{ 'merge-digests': A, build: 'true' }, 'merge-digests', /a merge builds nothing/],
    [{ 'merge-digests': A, 'source-image': 'app:ci' }, 'merge-digests', /not both/],
    [{ 'merge-digests': A, lambda: 'true' }, 'lambda', /Lambda cannot run/],
    [{ 'merge-digests': A, platforms: 'linux/amd64' }, 'platforms', /merge-digests builds nothing/],
    [{ 'push-by-digest': 'true' }, 'push-by-digest', /set 'build: true' with it/],
    [{ 'skip-existing': 'true' }, 'skip-existing', /set 'build: true' with it/],
    [{ build: 'true', 'skip-existing': 'true', 'push-by-digest': 'true' }, 'skip-existing', /no tag/],
    [{ build: 'true', 'wait-for-replication': 'soon' }, 'wait-for-replication', /number of seconds/],
    [{ build: 'true', 'wait-for-replication': '0' }, 'wait-for-replication', /1 to 3600/],
    [
      { 'wait-for-replication': 'true' },
      'wait-for-replication',
      /use it with build, source-image or merge-digests/,
    ],
  ])('%j is refused, naming %s', (values, name, message) => {
    const error = inputErrorOf(() => parse(values));
    expect(error.input).toBe(name);
    expect(error.message).toMatch(message);
  });

  test.each([
    ['true', 600],
    ['90', 90],
    ['false', undefined],
    ['', undefined],
  ])('wait-for-replication: %j waits %s s', (value, seconds) => {
    expect(parse({ 'source-image': 'app:ci', 'wait-for-replication': value }).replicationTimeoutSeconds).toBe(
      seconds,
    );
  });

  test('push-by-digest needs buildx, like the other BuildKit-only inputs', () => {
    const inputs = parse({ build: 'true', 'push-by-digest': 'true' });
    expect(buildxOnlyInputs(inputs)).toContain('push-by-digest');
  });
});

describe('parseBuildInputs: the scan gate', () => {
  test('scan-fail-on with ignores and a timeout', () => {
    expect(
      build({ 'scan-fail-on': 'high', 'scan-ignore': 'cve-2024-3094, GHSA-abcd-1234', 'scan-timeout': '120' })
        .scanGate,
    ).toEqual({ failOn: 'HIGH', ignore: ['CVE-2024-3094', 'GHSA-ABCD-1234'], timeoutSeconds: 120 });
  });

  test.each([['none'], ['NONE'], ['']])('scan-fail-on: %j is no gate', (value) => {
    expect(build({ 'scan-fail-on': value }).scanGate).toBeUndefined();
  });

  test.each([
    [{ 'scan-fail-on': 'SEVERE' }, 'scan-fail-on', /'CRITICAL', 'HIGH', 'MEDIUM', 'LOW' or 'none'/],
    [{ 'scan-ignore': 'CVE-2024-1' }, 'scan-ignore', /only used with scan-fail-on/],
    [{ 'scan-fail-on': 'HIGH', 'scan-ignore': 'not a cve' }, 'scan-ignore', /vulnerability IDs/],
    [{ 'scan-fail-on': 'HIGH', 'scan-timeout': '5' }, 'scan-timeout', /10 to 3600/],
  ])('%j is refused, naming %s', (values, name, message) => {
    const error = inputErrorOf(() => build(values));
    expect(error.input).toBe(name);
    expect(error.message).toMatch(message);
  });

  test('a gate with nothing pushed is a mistake', () => {
    expect(inputErrorOf(() => parse({ 'scan-fail-on': 'HIGH' })).input).toBe('scan-fail-on');
  });
});
