/**
 * The CLI's command line: a subcommand, the action's inputs as `--name value` / `--name=value` flags (a
 * repeated flag adds a line, as a multi-line input would), `ECR_PUSH_<NAME>` variables where no flag is
 * given, and the CLI's own switches. Pure: argv and env in, a typed invocation out.
 */
import { InputError } from '../shared/errors.js';
import { OPTIONS, envName } from './options.js';

export const COMMANDS = ['login', 'logout', 'tags', 'push', 'iam-policy'] as const;
export type Command = (typeof COMMANDS)[number];

export interface Invocation {
  command: Command | 'help' | 'version';
  /** Input name → value, as the action would get it. */
  inputs: Map<string, string>;
  json: boolean;
  /** `--ci NAME`: the CI system to read the build's context from, instead of detecting it. */
  ci?: string;
}

type Env = Record<string, string | undefined>;

const SPECS = new Map(OPTIONS.map((option) => [option.name, option]));

function usage(option: string, value: string, accepted: string): InputError {
  return new InputError(option, value, accepted);
}

export function parseInvocation(argv: readonly string[], env: Env): Invocation {
  const flags = new Map<string, string[]>();
  let command: Invocation['command'] | undefined;
  let json = false;
  let ci: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--help' || arg === '-h') return { command: 'help', inputs: new Map(), json };
    if (arg === '--version') return { command: 'version', inputs: new Map(), json };
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (command !== undefined) throw usage('command', arg, `one command only, already '${command}'`);
      const found = COMMANDS.find((name) => name === arg);
      if (found === undefined) throw usage('command', arg, `expected one of ${COMMANDS.join(', ')}`);
      command = found;
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const next = argv[index + 1];
    const takeNext = () => {
      if (next === undefined) throw usage(name, '', 'this option needs a value');
      // `--docker-config --json` is a forgotten value, not a directory named --json.
      if (next.startsWith('--')) {
        throw usage(
          name,
          next,
          `this option needs a value; for a value starting with --, write --${name}=${next}`,
        );
      }
      index += 1;
      return next;
    };
    if (name === 'ci') {
      ci = equals < 0 ? takeNext() : arg.slice(equals + 1);
      continue;
    }
    const spec = SPECS.get(name);
    if (spec === undefined) throw usage('option', `--${name}`, 'not an option; see ecr-push --help');
    let value: string;
    if (equals >= 0) value = arg.slice(equals + 1);
    else if (spec.flag && (next === undefined || next.startsWith('--') || isCommand(next))) value = 'true';
    else value = takeNext();
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  const inputs = new Map<string, string>();
  for (const option of OPTIONS) {
    const value = flags.get(option.name)?.join('\n') ?? env[envName(option.name)];
    if (value !== undefined) inputs.set(option.name, value);
  }
  return { command: command ?? 'help', inputs, json, ...(ci === undefined ? {} : { ci }) };
}

function isCommand(text: string): boolean {
  return COMMANDS.some((name) => name === text);
}
