/**
 * The CLI's subcommands, on top of the action's own steps:
 * - `login`: the main step without a build; the credentials stay until `logout` (there is no post step);
 * - `logout`: the post step, from the state `login` left beside the docker config;
 * - `tags`: the tags and labels this build would get (a dry run: no AWS call);
 * - `push`: the whole pipeline, main step then post step, in one command;
 * - `iam-policy`: the least-privilege policy for the options given (no AWS call).
 */
import { readFileSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { GitContext } from '../image/git-context.js';
import { writeFileAtomic } from '../docker-config/file.js';
import { ActionError, InputError, messageOf } from '../shared/errors.js';
import { iamPolicyText, repositoryRefs } from '../iam/for-inputs.js';
import { resolveImageMetadata } from '../image/metadata.js';
import { getInputs, getMetadataInputs, parseDockerConfig } from '../inputs/inputs.js';
import { parseList } from '../shared/lists.js';
import { imageReferences } from '../image/outputs.js';
import type { Invocation } from './args.js';
import { runStep, withInputs, type StepOptions, type StepResult } from './step-runner.js';

export interface CommandResult {
  /** What `--json` prints; the text form is made from it too. */
  result: Record<string, unknown>;
  /** Lines for the text form. */
  text: string[];
}

export interface CommandContext {
  invocation: Invocation;
  env: NodeJS.ProcessEnv;
  readGitContext: () => GitContext;
  step: Omit<StepOptions, 'inputs' | 'readGitContext' | 'state'>;
}

/** Where `login` leaves the state `logout` needs: beside the docker config it wrote, readable by the user only. */
export const STATE_FILE = 'ecr-push-state.json';

/** The directory `login` wrote to, found as the action finds it (`--docker-config`, DOCKER_CONFIG, ~/.docker). */
function configDirOf(inputs: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): string {
  const choice = parseDockerConfig(inputs.get('docker-config') ?? '', env);
  if (choice.kind === 'isolated') {
    throw new InputError(
      'docker-config',
      'isolated',
      'name the directory login printed (its DOCKER_CONFIG), such as --docker-config /tmp/ecr-push-docker-abc123',
    );
  }
  return choice.dir;
}

function failIfError(step: StepResult): void {
  if (step.error === undefined) return;
  throw step.error instanceof Error ? step.error : new ActionError(messageOf(step.error));
}

function stepResult(step: StepResult): CommandResult {
  const { outputs } = step;
  const text = Object.entries(outputs)
    .filter(([name]) => !name.startsWith('docker_password_'))
    .map(
      ([name, value]) => `${name}: ${value.includes('\n') ? `\n  ${value.split('\n').join('\n  ')}` : value}`,
    );
  return {
    result: { outputs, ...(Object.keys(step.exported).length > 0 ? { exported: step.exported } : {}) },
    text,
  };
}

async function login(context: CommandContext): Promise<CommandResult> {
  const { inputs } = context.invocation;
  for (const name of ['build', 'source-image']) {
    if ((inputs.get(name) ?? '').trim() !== '' && inputs.get(name) !== 'false') {
      throw new InputError(
        name,
        inputs.get(name) ?? '',
        'login only logs in: use ecr-push push to build and push',
      );
    }
  }
  const main = await runStep('main', { ...context.step, inputs, readGitContext: context.readGitContext });
  failIfError(main);
  const dir = main.outputs['docker-config'];
  if (dir === undefined)
    throw new ActionError('The login wrote no docker-config output: nothing to keep for logout.');
  await writeFileAtomic(path.join(dir, STATE_FILE), JSON.stringify(main.state));
  const done = stepResult(main);
  if (main.exported.DOCKER_CONFIG) done.text.push(`export DOCKER_CONFIG=${main.exported.DOCKER_CONFIG}`);
  return done;
}

async function logout(context: CommandContext): Promise<CommandResult> {
  const { inputs } = context.invocation;
  const file = path.join(configDirOf(inputs, context.env), STATE_FILE);
  let state: Record<string, string>;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {
      result: { loggedOut: false },
      text: [`Nothing to log out of: no ${file} (written by ecr-push login).`],
    };
  }
  const post = await runStep('post', {
    ...context.step,
    inputs,
    readGitContext: context.readGitContext,
    state: { ...state, skipLogout: 'false' },
  });
  failIfError(post);
  await fs.rm(file, { force: true });
  return { result: { loggedOut: true }, text: [] };
}

async function push(context: CommandContext): Promise<CommandResult> {
  const inputs = new Map(context.invocation.inputs);
  // push is the whole pipeline: it builds, unless it is told to push an image built earlier.
  if (!inputs.has('build') && !inputs.has('source-image')) inputs.set('build', 'true');
  const options = { ...context.step, inputs, readGitContext: context.readGitContext };
  const main = await runStep('main', options);
  // As `post-if: always()`: the credentials are removed and clean-up runs even when the main step failed.
  const post = await runStep('post', { ...options, state: main.state });
  failIfError(main);
  failIfError(post);
  return stepResult(main);
}

function tags(context: CommandContext): CommandResult {
  const metadata = withInputs(context.invocation.inputs, () => getMetadataInputs());
  const image = resolveImageMetadata(metadata, context.readGitContext(), new Date());
  const names = image.resolution.tags.map((tag) => tag.name);
  // Hostnames only: an account ID's registry host is known after a login, which a dry run does not do.
  const registries = parseList(context.invocation.inputs.get('registries') ?? '').filter((item) =>
    item.includes('.'),
  );
  const references = imageReferences(names, registries, metadata.repository);
  return {
    result: {
      tags: names,
      references,
      labels: image.labels,
      buildArgs: image.buildArgs,
      version: image.resolution.version ?? '',
      latest: image.resolution.latest.reason,
      context: image.context,
    },
    text: [
      `Tags: ${names.join(', ') || '(none)'}`,
      ...(metadata.repository === undefined ? [] : references.map((reference) => `  ${reference}`)),
      `latest: ${image.resolution.latest.reason}`,
      ...Object.entries(image.labels).map(([key, value]) => `Label ${key}=${value}`),
    ],
  };
}

function iamPolicy(context: CommandContext): CommandResult {
  const policy = withInputs(context.invocation.inputs, () => {
    const inputs = getInputs(context.env);
    return iamPolicyText(inputs, repositoryRefs(inputs));
  });
  return { result: { policy: JSON.parse(policy) as unknown }, text: [policy] };
}

export async function runCommand(context: CommandContext): Promise<CommandResult> {
  switch (context.invocation.command) {
    case 'login':
      return login(context);
    case 'logout':
      return logout(context);
    case 'push':
      return push(context);
    case 'tags':
      return Promise.resolve(tags(context));
    case 'iam-policy':
      return Promise.resolve(iamPolicy(context));
    default:
      throw new ActionError(`'${context.invocation.command}' is not a command.`);
  }
}
