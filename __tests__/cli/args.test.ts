/**
 * The CLI's command line: a command, the action's inputs as `--name value` / `--name=value` flags or
 * ECR_PUSH_<NAME> variables, the CLI's own switches, and a usage error (InputError) naming what is wrong.
 */
import { describe, expect, test } from '@jest/globals';
import { COMMANDS, parseInvocation, type Invocation } from '../../src/cli/args.js';
import { InputError } from '../../src/shared/errors.js';

type Env = Record<string, string | undefined>;

/** The invocation `argv` gives, inputs as a plain object for readable tables. */
function parse(argv: string[], env: Env = {}) {
  const invocation = parseInvocation(argv, env);
  return { ...invocation, inputs: Object.fromEntries(invocation.inputs) };
}

/** The InputError `argv` fails with. */
function usageError(argv: string[], env: Env = {}): InputError {
  try {
    parseInvocation(argv, env);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw new Error(`expected an InputError, got ${String(error)}`);
  }
  throw new Error(`expected an InputError for ${JSON.stringify(argv)}, got none`);
}

describe('commands', () => {
  test.each(COMMANDS.map((command) => [command]))('%s', (command) => {
    expect(parse([command])).toEqual({ command, inputs: {}, json: false });
  });

  test('the commands are login, logout, tags, push and iam-policy', () => {
    expect([...COMMANDS]).toEqual(['login', 'logout', 'tags', 'push', 'iam-policy']);
  });

  test.each<[string, string[]]>([
    ['before the options', ['push', '--repository', 'team/app']],
    ['after the options', ['--repository', 'team/app', 'push']],
    ['between the options', ['--registries', '111111111111', 'push', '--repository', 'team/app']],
  ])('the command %s', (_name, argv) => {
    expect(parse(argv).command).toBe('push');
  });

  test('no command at all: help', () => {
    expect(parse([])).toEqual({ command: 'help', inputs: {}, json: false });
    expect(parse(['--repository', 'team/app']).command).toBe('help');
  });
});

describe('option values', () => {
  test.each<[string, string[], Record<string, string>]>([
    ['--name value', ['push', '--repository', 'team/app'], { repository: 'team/app' }],
    ['--name=value', ['push', '--repository=team/app'], { repository: 'team/app' }],
    ['--name=value holding =', ['tags', '--tags=type=raw,value=x'], { tags: 'type=raw,value=x' }],
    ['--name= (empty)', ['tags', '--repository='], { repository: '' }],
    ['--name "" (empty)', ['tags', '--repository', ''], { repository: '' }],
    [
      'a value with spaces and a new line',
      ['tags', '--labels', 'a=one two\nb=three'],
      { labels: 'a=one two\nb=three' },
    ],
    ['repeated: lines', ['tags', '--tags', 'type=sha', '--tags', 'type=ref'], { tags: 'type=sha\ntype=ref' }],
    [
      'repeated, both forms, three times',
      ['tags', '--tags', 'type=sha', '--tags=type=ref,event=branch', '--tags', 'type=raw,value=x'],
      { tags: 'type=sha\ntype=ref,event=branch\ntype=raw,value=x' },
    ],
    [
      'repeated build args',
      ['push', '--build-args', 'A=1', '--build-args', 'B=2,3'],
      { 'build-args': 'A=1\nB=2,3' },
    ],
    [
      'repeated single-value option: lines too',
      ['tags', '--repository', 'a', '--repository', 'b'],
      { repository: 'a\nb' },
    ],
    [
      'several options',
      [
        'push',
        '--registries',
        '111111111111,222222222222',
        '--region',
        'eu-west-1',
        '--repository',
        'team/app',
      ],
      { registries: '111111111111,222222222222', region: 'eu-west-1', repository: 'team/app' },
    ],
    ['a value that is a command name is a value', ['login', '--repository', 'push'], { repository: 'push' }],
    ['a value starting with one dash', ['tags', '--created', '-1'], { created: '-1' }],
  ])('%s', (_name, argv, inputs) => {
    expect(parse(argv).inputs).toEqual(inputs);
  });
});

describe('flag options: a bare --flag means true', () => {
  test.each<[string, string[], Record<string, string>, Invocation['command']]>([
    ['at the end', ['push', '--build'], { build: 'true' }, 'push'],
    ['before a command name', ['--build', 'push'], { build: 'true' }, 'push'],
    [
      'before another flag',
      ['push', '--create-repository', '--build'],
      { 'create-repository': 'true', build: 'true' },
      'push',
    ],
    [
      'before an option with a value',
      ['push', '--build', '--repository', 'a/b'],
      { build: 'true', repository: 'a/b' },
      'push',
    ],
    ['before --json', ['push', '--scan-on-push', '--json'], { 'scan-on-push': 'true' }, 'push'],
    ['with a value', ['push', '--build', 'false'], { build: 'false' }, 'push'],
    ['with =value', ['push', '--build=false'], { build: 'false' }, 'push'],
    ['--push auto', ['push', '--push', 'auto'], { push: 'auto' }, 'push'],
    ['--push before the command push', ['--push', 'push'], { push: 'true' }, 'push'],
    ['--mask-password false', ['login', '--mask-password', 'false'], { 'mask-password': 'false' }, 'login'],
    ['--skip-logout at the end', ['push', '--skip-logout'], { 'skip-logout': 'true' }, 'push'],
    [
      '--cleanup-dry-run',
      ['push', '--cleanup-dry-run', '--cleanup', 'untagged'],
      { 'cleanup-dry-run': 'true', cleanup: 'untagged' },
      'push',
    ],
    ['--label-build-args=', ['push', '--label-build-args='], { 'label-build-args': '' }, 'push'],
  ])('%s', (_name, argv, inputs, command) => {
    const invocation = parse(argv);
    expect(invocation.inputs).toEqual(inputs);
    expect(invocation.command).toBe(command);
  });
});

describe('ECR_PUSH_* variables', () => {
  test.each<[string, string[], Env, Record<string, string>]>([
    [
      'a variable where no flag is given',
      ['push'],
      { ECR_PUSH_REPOSITORY: 'team/app' },
      { repository: 'team/app' },
    ],
    [
      'a dash in the name: an underscore',
      ['login'],
      { ECR_PUSH_DOCKER_CONFIG: '/tmp/dc' },
      { 'docker-config': '/tmp/dc' },
    ],
    [
      'a flag option from a variable',
      ['push'],
      { ECR_PUSH_CREATE_REPOSITORY: 'true' },
      { 'create-repository': 'true' },
    ],
    [
      'a multi-line variable',
      ['tags'],
      { ECR_PUSH_TAGS: 'type=sha\ntype=ref' },
      { tags: 'type=sha\ntype=ref' },
    ],
    ['an empty variable is a value', ['tags'], { ECR_PUSH_LATEST: '' }, { latest: '' }],
    [
      'the flag wins',
      ['push', '--repository', 'flag/app'],
      { ECR_PUSH_REPOSITORY: 'env/app' },
      { repository: 'flag/app' },
    ],
    [
      'an empty --name= wins too',
      ['tags', '--repository='],
      { ECR_PUSH_REPOSITORY: 'env/app' },
      { repository: '' },
    ],
    ['a bare flag wins', ['push', '--build'], { ECR_PUSH_BUILD: 'false' }, { build: 'true' }],
    [
      'repeated flags replace a multi-line variable, not add to it',
      ['tags', '--tags', 'type=raw,value=a', '--tags', 'type=raw,value=b'],
      { ECR_PUSH_TAGS: 'type=sha\ntype=ref' },
      { tags: 'type=raw,value=a\ntype=raw,value=b' },
    ],
    [
      'flags and variables mix, option by option',
      ['push', '--repository', 'team/app'],
      { ECR_PUSH_REGISTRIES: '111111111111', ECR_PUSH_REGION: 'eu-west-1' },
      { repository: 'team/app', registries: '111111111111', region: 'eu-west-1' },
    ],
    [
      'other variables are not options',
      ['push'],
      {
        REPOSITORY: 'a/b',
        INPUT_REPOSITORY: 'a/b',
        ECR_PUSH_UNKNOWN: 'x',
        ecr_push_repository: 'a/b',
        'ECR_PUSH_DOCKER-CONFIG': '/tmp/x',
        AWS_REGION: 'eu-west-1',
      },
      {},
    ],
    ['an undefined variable is no value', ['push'], { ECR_PUSH_REPOSITORY: undefined }, {}],
  ])('%s', (_name, argv, env, inputs) => {
    expect(parse(argv, env).inputs).toEqual(inputs);
  });

  test('a command with no flags at all reads the variables', () => {
    const env = { ECR_PUSH_REPOSITORY: 'team/app', ECR_PUSH_TAGS: 'type=sha' };
    expect(parse(['tags'], env)).toEqual({
      command: 'tags',
      inputs: { repository: 'team/app', tags: 'type=sha' },
      json: false,
    });
  });
});

describe('the CLI’s own switches', () => {
  test.each<[string, string[], Partial<ReturnType<typeof parse>>]>([
    ['--json after the command', ['tags', '--json'], { command: 'tags', json: true }],
    ['--json before the command', ['--json', 'tags'], { command: 'tags', json: true }],
    ['--ci NAME', ['tags', '--ci', 'travis'], { command: 'tags', ci: 'travis' }],
    ['--ci=NAME', ['tags', '--ci=gitlab'], { command: 'tags', ci: 'gitlab' }],
    ['--ci: the last one wins', ['tags', '--ci', 'travis', '--ci', 'git'], { ci: 'git' }],
    // Checked when the context is read (parseCiSystem), so `--help` still works with a bad one.
    [
      '--ci with an unknown name is kept for detection to refuse',
      ['tags', '--ci', 'jenkins'],
      { ci: 'jenkins' },
    ],
    ['--help', ['--help'], { command: 'help' }],
    ['-h', ['-h'], { command: 'help' }],
    ['--help after a command', ['push', '--repository', 'a/b', '--help'], { command: 'help', inputs: {} }],
    ['--help before an unknown option', ['--help', '--no-such-option'], { command: 'help' }],
    ['--version', ['--version'], { command: 'version', inputs: {} }],
    ['--version after a command', ['tags', '--version'], { command: 'version' }],
  ])('%s', (_name, argv, expected) => {
    expect(parse(argv)).toMatchObject(expected);
  });

  test('--json and --ci are not inputs', () => {
    expect(parse(['tags', '--json', '--ci', 'git']).inputs).toEqual({});
  });

  test('no --ci: no ci key (detection decides)', () => {
    expect(parse(['tags'])).not.toHaveProperty('ci');
  });
});

describe('usage errors: an InputError naming what is wrong', () => {
  test.each<[string, string[], { input: string; value: string; message: RegExp }]>([
    [
      'an unknown option',
      ['push', '--no-such-option', 'x'],
      { input: 'option', value: '--no-such-option', message: /--no-such-option/ },
    ],
    [
      'an unknown option with =',
      ['push', '--no-such-option=x'],
      { input: 'option', value: '--no-such-option', message: /--no-such-option/ },
    ],
    [
      'an option in the wrong case',
      ['push', '--Repository', 'a/b'],
      { input: 'option', value: '--Repository', message: /--Repository/ },
    ],
    [
      'an input name with underscores',
      ['login', '--docker_config', '/tmp'],
      { input: 'option', value: '--docker_config', message: /--docker_config/ },
    ],
    ['a bare --', ['push', '--'], { input: 'option', value: '--', message: /'--'/ }],
    [
      'an unknown command',
      ['deploy'],
      { input: 'command', value: 'deploy', message: /deploy.*login, logout, tags, push, iam-policy/ },
    ],
    ['a command in the wrong case', ['Push'], { input: 'command', value: 'Push', message: /'Push'/ }],
    ['a single-dash option', ['push', '-v'], { input: 'command', value: '-v', message: /'-v'/ }],
    [
      'two commands',
      ['login', 'push'],
      { input: 'command', value: 'push', message: /'push'.*one command only, already 'login'/ },
    ],
    [
      'the same command twice',
      ['push', 'push'],
      { input: 'command', value: 'push', message: /one command only/ },
    ],
    [
      'a stray value',
      ['push', '--repository', 'a/b', 'c/d'],
      { input: 'command', value: 'c/d', message: /'c\/d'/ },
    ],
    [
      'a missing value at the end',
      ['push', '--repository'],
      { input: 'repository', value: '', message: /'repository'.*needs a value/ },
    ],
    ['a missing --ci value', ['tags', '--ci'], { input: 'ci', value: '', message: /'ci'.*needs a value/ }],
  ])('%s', (_name, argv, expected) => {
    const error = usageError(argv);
    expect(error.input).toBe(expected.input);
    expect(error.value).toBe(expected.value);
    expect(error.message).toMatch(expected.message);
    // One line: main.ts prints it as `ecr-push: <message>`.
    expect(error.message).not.toContain('\n');
  });

  test('the first error wins: an unknown option before --help', () => {
    expect(usageError(['--no-such-option', '--help']).value).toBe('--no-such-option');
  });
});

describe('hostile values stay plain values', () => {
  test.each<[string, string[], Record<string, string>]>([
    ['command substitution', ['push', '--repository', '$(id)'], { repository: '$(id)' }],
    ['backticks', ['push', '--labels', 'a=`id`'], { labels: 'a=`id`' }],
    ['a docker flag as a label, with =', ['push', '--labels=--privileged'], { labels: '--privileged' }],
    [
      'a docker flag as a build arg, with =',
      ['push', '--build-args=--network=host'],
      { 'build-args': '--network=host' },
    ],
    [
      'shell metacharacters',
      ['push', '--build-args', 'A=1; rm -rf / && echo $HOME | cat > x'],
      { 'build-args': 'A=1; rm -rf / && echo $HOME | cat > x' },
    ],
    [
      'a workflow command',
      ['push', '--labels', '::add-mask::x\n::error::y'],
      { labels: '::add-mask::x\n::error::y' },
    ],
    ['an option name as a value, with =', ['push', '--tags=--json'], { tags: '--json' }],
    ['-h as a value', ['push', '--target', '-h'], { target: '-h' }],
    ['a terminal escape sequence', ['push', '--labels', 'a=\u001b[31mred'], { labels: 'a=\u001b[31mred' }],
    ['a path outside the workspace', ['push', '--file', '../../etc/passwd'], { file: '../../etc/passwd' }],
  ])('%s', (_name, argv, inputs) => {
    const invocation = parse(argv);
    expect(invocation.inputs).toEqual(inputs);
    expect(invocation.command).toBe('push');
    expect(invocation.json).toBe(false);
  });

  test('a hostile ECR_PUSH_* value is a value too', () => {
    expect(parse(['push'], { ECR_PUSH_LABELS: '--privileged\n$(id)' }).inputs).toEqual({
      labels: '--privileged\n$(id)',
    });
  });

  test('--json given as a value with = does not switch JSON on', () => {
    expect(parse(['tags', '--labels=--json']).json).toBe(false);
  });
});
