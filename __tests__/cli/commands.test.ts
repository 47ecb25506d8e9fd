/**
 * The CLI's adapter around the action's steps (runStep) and its commands, with runMain/runPost replaced by
 * stand-ins that use @actions/core as the real steps do: what a step prints reaches the log as plain,
 * masked text; what it saves with setOutput/saveState/exportVariable comes back; the inputs are where
 * core.getInput reads them; `push` always runs the post step; `login` leaves the state `logout` reads.
 * The real steps run in __tests__/e2e/cli.test.mjs.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import * as core from '@actions/core';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GitContext } from '../../src/image/git-context.js';
import type { MainOptions } from '../../src/action/main.js';

const runMain = jest.fn<(options?: MainOptions) => Promise<void>>();
const runPost = jest.fn<() => Promise<void>>();
jest.unstable_mockModule('../../src/action/main.js', () => ({ runMain }));
jest.unstable_mockModule('../../src/action/post.js', () => ({ runPost }));
const { runStep } = await import('../../src/cli/step-runner.js');
const { runCommand, STATE_FILE } = await import('../../src/cli/commands.js');
const { parseInvocation } = await import('../../src/cli/args.js');
const { PlainTextFilter } = await import('../../src/cli/workflow-commands.js');
const { InputError } = await import('../../src/shared/errors.js');

const SHA = '0123456789abcdef0123456789abcdef01234567';
const CONTEXT: GitContext = {
  eventName: 'push',
  sha: SHA,
  ref: 'refs/heads/main',
  branch: 'main',
  sourceRepository: 'octo/app',
  repositoryUrl: 'https://github.com/octo/app',
  commitTime: '2024-05-01T12:00:00.000Z',
};
const SECRET = 'hunter2-registry-password';

/** A log stream that keeps what it is given. */
function logSink() {
  const chunks: string[] = [];
  const stream = {
    write: (chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

let sink: ReturnType<typeof logSink>;
let savedEnv: NodeJS.ProcessEnv;
let temp: string;

beforeEach(() => {
  sink = logSink();
  savedEnv = { ...process.env };
  temp = mkdtempSync(path.join(os.tmpdir(), 'cli-commands-'));
  // As the CLI runs outside GitHub: no runner file commands of the test process's own.
  for (const name of Object.keys(process.env)) {
    if (/^(GITHUB_|INPUT_|STATE_|RUNNER_)/.test(name)) Reflect.deleteProperty(process.env, name);
  }
  runMain.mockReset();
  runPost.mockReset();
  runMain.mockResolvedValue(undefined);
  runPost.mockResolvedValue(undefined);
});

afterEach(() => {
  for (const name of Object.keys(process.env)) {
    if (!(name in savedEnv)) Reflect.deleteProperty(process.env, name);
  }
  Object.assign(process.env, savedEnv);
  rmSync(temp, { recursive: true, force: true });
});

function stepOptions(inputs: Record<string, string> = {}, state?: Record<string, string>) {
  return {
    inputs: new Map(Object.entries(inputs)),
    log: sink.stream,
    filter: new PlainTextFilter(),
    readGitContext: () => CONTEXT,
    ...(state === undefined ? {} : { state }),
  };
}

function context(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return {
    invocation: parseInvocation(argv, env),
    env: { HOME: temp, ...env },
    readGitContext: () => CONTEXT,
    step: { log: sink.stream, filter: new PlainTextFilter() },
  };
}

describe('runStep: the log', () => {
  test('workflow commands become plain text; a secret set with core.setSecret is masked', async () => {
    runMain.mockImplementation(() => {
      core.info('before the secret is known');
      core.setSecret(SECRET);
      core.startGroup('Log in to Amazon ECR');
      core.info(`logged in with ${SECRET}`);
      core.endGroup();
      core.warning(`careful: ${SECRET}`);
      core.debug('not shown');
      process.stdout.write('docker output without a newline');
      return Promise.resolve();
    });
    const result = await runStep('main', stepOptions());
    expect(result.error).toBeUndefined();
    expect(sink.text()).toBe(
      [
        'before the secret is known',
        '== Log in to Amazon ECR',
        'logged in with ***',
        'warning: careful: ***',
        'docker output without a newline',
        '',
      ].join('\n'),
    );
  });

  test('process.stdout is given back after the step, also after a failure', async () => {
    const original = process.stdout.write;
    const direct: string[] = [];
    process.stdout.write = (chunk: string) => direct.push(chunk) > 0;
    try {
      runMain.mockImplementation(() => {
        process.stdout.write('::error::in the step\n');
        return Promise.reject(new Error('boom'));
      });
      const result = await runStep('main', stepOptions());
      expect(result.error).toEqual(new Error('boom'));
      process.stdout.write('::error::after the step\n');
    } finally {
      process.stdout.write = original;
    }
    expect(sink.text()).toBe('error: in the step\n');
    expect(direct).toEqual(['::error::after the step\n']);
  });

  test('the step gets the readGitContext it is given', async () => {
    let seen: GitContext | undefined;
    runMain.mockImplementation((options) => {
      seen = options?.readGitContext?.();
      return Promise.resolve();
    });
    await runStep('main', stepOptions());
    expect(seen).toEqual(CONTEXT);
  });
});

describe('runStep: the runner’s environment', () => {
  test('the inputs are where core.getInput reads them, and gone afterwards', async () => {
    let seen: Record<string, string> = {};
    runMain.mockImplementation(() => {
      seen = {
        repository: core.getInput('repository'),
        'docker-config': core.getInput('docker-config'),
        tags: core.getMultilineInput('tags').join('|'),
        build: String(core.getBooleanInput('build')),
        leftOver: core.getInput('left-over'),
      };
      return Promise.resolve();
    });
    process.env['INPUT_LEFT-OVER'] = 'from the caller';
    await runStep(
      'main',
      stepOptions({
        repository: 'team/app',
        'docker-config': '/tmp/dc',
        tags: 'type=sha\ntype=ref',
        build: 'true',
      }),
    );
    expect(seen).toEqual({
      repository: 'team/app',
      'docker-config': '/tmp/dc',
      tags: 'type=sha|type=ref',
      build: 'true',
      leftOver: '',
    });
    expect(Object.keys(process.env).filter((name) => name.startsWith('INPUT_REPOSITORY'))).toEqual([]);
    expect(process.env.GITHUB_OUTPUT).toBeUndefined();
    expect(process.env.GITHUB_STATE).toBeUndefined();
  });

  test('the post step reads the state it is given with core.getState', async () => {
    let seen: string[] = [];
    runPost.mockImplementation(() => {
      seen = [core.getState('undoFile'), core.getState('skipLogout'), core.getState('missing')];
      return Promise.resolve();
    });
    await runStep('post', stepOptions({}, { undoFile: '/tmp/undo.json', skipLogout: 'false' }));
    expect(seen).toEqual(['/tmp/undo.json', 'false', '']);
    expect(process.env.STATE_undoFile).toBeUndefined();
  });

  // Bug: runStep points GITHUB_OUTPUT/STATE/ENV/STEP_SUMMARY at files in its temp directory but never
  // creates them, and @actions/core refuses to append to a missing file ("Missing file at path:
  // .../github_state"). The real runMain saves state first (markMainStarted), so `ecr-push push` and
  // `ecr-push login` always fail with exit 1 before doing anything.
  test('what the step saves comes back: outputs, state, exported variables, summary', async () => {
    runMain.mockImplementation(async () => {
      core.setOutput('image', 'reg/team/app:sha-0123456');
      core.setOutput('tags', 'a\nb');
      core.saveState('isPost', 'true');
      core.exportVariable('CLI_TEST_EXPORTED', '/tmp/isolated');
      await core.summary.addRaw('pushed').write();
      return undefined;
    });
    const result = await runStep('main', stepOptions());
    expect(result.error).toBeUndefined();
    expect(result).toEqual({
      outputs: { image: 'reg/team/app:sha-0123456', tags: 'a\nb' },
      state: { isPost: 'true' },
      exported: { CLI_TEST_EXPORTED: '/tmp/isolated' },
      summary: 'pushed',
    });
  });

  test('a step that fails half-way still gives back the state saved so far', async () => {
    runMain.mockImplementation(() => {
      core.saveState('undoFile', '/tmp/undo.json');
      return Promise.reject(new Error('docker build failed'));
    });
    const result = await runStep('main', stepOptions());
    expect(result.error).toEqual(new Error('docker build failed'));
    expect(result.state).toEqual({ undoFile: '/tmp/undo.json' });
  });

  test('the step’s temporary directory is removed', async () => {
    let dir = '';
    runMain.mockImplementation(() => {
      dir = path.dirname(process.env.GITHUB_OUTPUT ?? '');
      return Promise.resolve();
    });
    await runStep('main', stepOptions());
    expect(dir).toMatch(/ecr-push-cli-/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('push', () => {
  test('builds by default: build=true unless --build or --source-image is given', async () => {
    const seen: string[] = [];
    runMain.mockImplementation(() => {
      seen.push(`${core.getInput('build')}|${core.getInput('source-image')}`);
      return Promise.resolve();
    });
    await runCommand(context(['push', '--repository', 'team/app']));
    await runCommand(context(['push', '--build', 'false']));
    await runCommand(context(['push', '--source-image', 'app:ci']));
    expect(seen).toEqual(['true|', 'false|', '|app:ci']);
  });

  test('the post step runs after a failed main step, and the main step’s error is the one reported', async () => {
    runMain.mockRejectedValue(new Error('docker build failed'));
    runPost.mockRejectedValue(new Error('post failed too'));
    await expect(runCommand(context(['push', '--repository', 'team/app']))).rejects.toThrow(
      'docker build failed',
    );
    expect(runPost).toHaveBeenCalledTimes(1);
  });

  test('a usage error in the main step stays an InputError (exit 2)', async () => {
    runMain.mockRejectedValue(new InputError('repository', '', 'required with build'));
    await expect(runCommand(context(['push']))).rejects.toBeInstanceOf(InputError);
  });

  test('the post step gets the main step’s state, as STATE_* variables', async () => {
    runMain.mockImplementation(() => {
      core.saveState('undoFile', '/tmp/undo.json');
      return Promise.resolve();
    });
    let seen = '';
    runPost.mockImplementation(() => {
      seen = core.getState('undoFile');
      return Promise.resolve();
    });
    await runCommand(context(['push', '--repository', 'team/app']));
    expect(seen).toBe('/tmp/undo.json');
  });
});

describe('login and logout', () => {
  test.each<[string[], string]>([
    [['login', '--build'], 'build'],
    [['login', '--build', 'true'], 'build'],
    [['login', '--source-image', 'app:ci'], 'source-image'],
  ])('%j: refused before anything runs', async (argv, input) => {
    const error = await runCommand(context(argv)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ input });
    expect(runMain).not.toHaveBeenCalled();
  });

  test('login writes the main step’s state beside the docker config it names (0600)', async () => {
    const dir = path.join(temp, 'docker-config');
    runMain.mockImplementation(() => {
      core.setOutput('docker-config', dir);
      core.saveState('undoFile', '/tmp/undo.json');
      return Promise.resolve();
    });
    await runCommand(context(['login', '--docker-config', dir]));
    const file = path.join(dir, STATE_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ undoFile: '/tmp/undo.json' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('logout without a state file: nothing to log out of, and no step runs', async () => {
    const dir = path.join(temp, 'empty');
    const done = await runCommand(context(['logout', '--docker-config', dir]));
    expect(done.result).toEqual({ loggedOut: false });
    expect(done.text.join('\n')).toContain(`Nothing to log out of: no ${path.join(dir, STATE_FILE)}`);
    expect(runPost).not.toHaveBeenCalled();
  });

  test('logout runs the post step with the saved state (never skipping the logout) and removes the file', async () => {
    const file = path.join(temp, STATE_FILE);
    writeFileSync(file, JSON.stringify({ undoFile: '/tmp/undo.json', skipLogout: 'true' }));
    let seen: string[] = [];
    runPost.mockImplementation(() => {
      seen = [core.getState('undoFile'), core.getState('skipLogout')];
      return Promise.resolve();
    });
    const done = await runCommand(context(['logout', '--docker-config', temp]));
    expect(done.result).toEqual({ loggedOut: true });
    expect(seen).toEqual(['/tmp/undo.json', 'false']);
    expect(existsSync(file)).toBe(false);
  });

  test('logout finds the config through DOCKER_CONFIG, then HOME/.docker', async () => {
    const viaEnv = await runCommand(context(['logout'], { DOCKER_CONFIG: path.join(temp, 'dc') }));
    expect(viaEnv.text.join('\n')).toContain(path.join(temp, 'dc', STATE_FILE));
    const viaHome = await runCommand(context(['logout']));
    expect(viaHome.text.join('\n')).toContain(path.join(temp, '.docker', STATE_FILE));
  });

  test('a failed post step keeps the state file, for another try', async () => {
    const file = path.join(temp, STATE_FILE);
    writeFileSync(file, JSON.stringify({ undoFile: '/tmp/undo.json' }));
    runPost.mockRejectedValue(new Error('config.json is locked'));
    await expect(runCommand(context(['logout', '--docker-config', temp]))).rejects.toThrow('locked');
    expect(existsSync(file)).toBe(true);
  });
});

describe('tags and iam-policy: no step, no AWS call', () => {
  test('tags: the tags, references in the registries named by hostname, labels', async () => {
    const host = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
    const done = await runCommand(
      context(['tags', '--repository', 'team/app', '--registries', `111111111111,${host}`]),
    );
    expect(done.result).toMatchObject({
      tags: ['sha-0123456', 'main'],
      references: [`${host}/team/app:sha-0123456`, `${host}/team/app:main`],
      version: 'main',
      labels: {
        'org.opencontainers.image.revision': SHA,
        'org.opencontainers.image.source': 'https://github.com/octo/app',
        'org.opencontainers.image.created': '2024-05-01T12:00:00.000Z',
      },
    });
    expect(done.text[0]).toBe('Tags: sha-0123456, main');
    expect(runMain).not.toHaveBeenCalled();
  });

  test('tags without a repository: bare tag names', async () => {
    const done = await runCommand(context(['tags', '--tags', 'type=raw,value=v1', '--tags', 'type=sha']));
    expect(done.result).toMatchObject({ tags: ['v1', 'sha-0123456'], references: ['v1', 'sha-0123456'] });
  });

  test('tags: a bad tag rule is a usage error', async () => {
    await expect(runCommand(context(['tags', '--tags', 'type=nonsense']))).rejects.toBeInstanceOf(InputError);
  });

  test('iam-policy: the policy as JSON, with the repository ARN', async () => {
    const done = await runCommand(
      context([
        'iam-policy',
        '--registries',
        '111111111111',
        '--region',
        'eu-west-1',
        '--repository',
        'team/app',
        '--create-repository',
      ]),
    );
    const policy = done.result.policy as { Statement: { Action: string[]; Resource: string | string[] }[] };
    const create = policy.Statement.find((statement) => statement.Action.includes('ecr:CreateRepository'));
    expect(create?.Resource).toEqual('arn:aws:ecr:eu-west-1:111111111111:repository/team/app');
    expect(JSON.parse(done.text.join('\n'))).toEqual(policy);
    expect(runMain).not.toHaveBeenCalled();
  });

  test('the inputs do not stay in the environment after tags or iam-policy', async () => {
    await runCommand(context(['tags', '--repository', 'team/app']));
    expect(Object.keys(process.env).filter((name) => name.startsWith('INPUT_'))).toEqual([]);
  });
});
