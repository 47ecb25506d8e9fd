/**
 * The CLI's adapter around the action's own steps: it gives runMain/runPost exactly what a runner gives
 * them (INPUT_* variables, GITHUB_OUTPUT/STATE/ENV/STEP_SUMMARY files, STATE_* for the post step), prints
 * their workflow commands as plain text, and hands back the outputs and state. No module of the action
 * knows it runs outside GitHub.
 */
import { promises as fs, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GitContext } from '../image/git-context.js';
import { runMain } from '../action/main.js';
import { runPost } from '../action/post.js';
import { PlainTextFilter, parseFileCommands } from './workflow-commands.js';

export interface StepResult {
  outputs: Record<string, string>;
  state: Record<string, string>;
  /** Variables the step exported for later steps (DOCKER_CONFIG with an isolated config). */
  exported: Record<string, string>;
  summary: string;
  /** What the step failed with; the outputs and state up to then are still given (the post step needs them). */
  error?: unknown;
}

export interface StepOptions {
  inputs: ReadonlyMap<string, string>;
  /** Where the log goes: stdout, or stderr when stdout carries --json. */
  log: NodeJS.WriteStream;
  filter: PlainTextFilter;
  readGitContext: () => GitContext;
  /** For the post step: the state the main step saved. */
  state?: Record<string, string>;
}

const RUNNER_VARIABLES = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_STEP_SUMMARY'] as const;

/** `docker-config` → `INPUT_DOCKER-CONFIG`, the name @actions/core reads. */
function inputVariable(name: string): string {
  return `INPUT_${name.replaceAll(' ', '_').toUpperCase()}`;
}

function setInputs(inputs: ReadonlyMap<string, string>): void {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('INPUT_') || name.startsWith('STATE_')) Reflect.deleteProperty(process.env, name);
  }
  for (const [name, value] of inputs) process.env[inputVariable(name)] = value;
}

/** Puts process.env back as it was, keeping only the variables named in `keep` as the step left them. */
function restoreEnv(saved: NodeJS.ProcessEnv, keep: string[] = []): void {
  const kept = Object.fromEntries(
    keep.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  );
  for (const name of Object.keys(process.env)) {
    if (!(name in saved)) Reflect.deleteProperty(process.env, name);
  }
  Object.assign(process.env, saved, kept);
}

/** Runs `read` with the inputs where @actions/core reads them, for the commands that only read inputs. */
export function withInputs<T>(inputs: ReadonlyMap<string, string>, read: () => T): T {
  const saved = { ...process.env };
  setInputs(inputs);
  try {
    return read();
  } finally {
    restoreEnv(saved);
  }
}

function setStepEnvironment(dir: string, options: StepOptions): () => void {
  const saved = { ...process.env };
  setInputs(options.inputs);
  for (const [name, value] of Object.entries(options.state ?? {})) process.env[`STATE_${name}`] = value;
  for (const name of RUNNER_VARIABLES) {
    const file = path.join(dir, name.toLowerCase());
    // @actions/core appends to these and refuses a file that is not there, as on a runner.
    writeFileSync(file, '', { mode: 0o600 });
    process.env[name] = file;
  }
  // Exported variables (DOCKER_CONFIG) stay: a later command of this process uses the same config.
  return () => {
    restoreEnv(saved, ['DOCKER_CONFIG']);
  };
}

/** Routes everything the step prints (its own lines and docker's) through the plain-text filter. */
function captureStdout(options: StepOptions): () => void {
  const original = process.stdout.write.bind(process.stdout);
  const target = options.log === process.stdout ? original : options.log.write.bind(options.log);
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const plain = options.filter.write(text);
    if (plain !== '') target(plain);
    const callback = rest.find((item) => typeof item === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  return () => {
    const rest = options.filter.flush();
    process.stdout.write = original;
    if (rest !== '') target(`${rest}\n`);
  };
}

async function readCommands(file: string): Promise<Record<string, string>> {
  try {
    return parseFileCommands(await fs.readFile(file, 'utf8'));
  } catch {
    return {};
  }
}

export async function runStep(step: 'main' | 'post', options: StepOptions): Promise<StepResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecr-push-cli-'));
  const restoreEnv = setStepEnvironment(dir, options);
  const restoreStdout = captureStdout(options);
  let error: unknown;
  try {
    if (step === 'main') await runMain({ readGitContext: options.readGitContext });
    else await runPost();
  } catch (caught) {
    error = caught ?? new Error('the step failed');
  } finally {
    restoreStdout();
    restoreEnv();
  }
  try {
    return {
      outputs: await readCommands(path.join(dir, 'github_output')),
      state: await readCommands(path.join(dir, 'github_state')),
      exported: await readCommands(path.join(dir, 'github_env')),
      summary: await fs.readFile(path.join(dir, 'github_step_summary'), 'utf8').catch(() => ''),
      ...(error === undefined ? {} : { error }),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
