/**
 * docker/build-push-action's inputs that apply to this step, under the same names and meanings, parsed
 * and checked from their text: pure. Each value reaches docker joined to its flag (`--add-host=VALUE`).
 */
import { InputError } from '../shared/errors.js';
import { parseBoolean } from '../inputs/values.js';
import { parseLines, parseList } from '../shared/lists.js';

export interface BuildOptions {
  /** buildx `--load`: also keep the image in the local store when pushing (single platform). */
  load: boolean;
  noCache: boolean;
  pull: boolean;
  /** buildx `--build-context=NAME=VALUE`. */
  buildContexts: string[];
  /** buildx `--ssh=default|ID=PATH`. */
  ssh: string[];
  /** buildx `--annotation=[TYPE:]KEY=VALUE`. */
  annotations: string[];
  network?: string;
  addHosts: string[];
  shmSize?: string;
  ulimits: string[];
  /** buildx `--allow=ENTITLEMENT`. */
  allow: string[];
  /** `secret-files` and `secret-envs`, in buildx's own `id=NAME,src=FILE` / `id=NAME,env=VAR` form. */
  secrets: { raw: string; id: string }[];
}

export type OptionText = (name: string) => string;

/** Each list input: what one item must look like, and how the error says it. */
const FORMS = {
  'build-contexts': [
    /^[A-Za-z0-9][A-Za-z0-9_./:-]*=\S+$/,
    'NAME=VALUE per line, such as alpine=docker-image://alpine:3',
  ],
  ssh: [/^[A-Za-z0-9][A-Za-z0-9_.-]*(=\S+)?$/, "'default' or ID=PATH per line"],
  annotations: [
    /^(?:[a-z-]+(?:\[[A-Za-z0-9/_,-]+\])?:)?[A-Za-z0-9][A-Za-z0-9._/-]*=[^\n]*$/,
    'KEY=VALUE per line, optionally with a level such as index:KEY=VALUE',
  ],
  'add-hosts': [/^[A-Za-z0-9][A-Za-z0-9.-]*[:=][0-9A-Fa-f.:]+$/, 'HOST:IP items, such as db:10.0.0.5'],
  ulimit: [/^[a-z]+=-?\d+(?::-?\d+)?$/, 'TYPE=SOFT[:HARD] per line, such as nofile=1024:2048'],
  allow: [/^[a-z]+\.[a-z]+$/, 'buildx entitlements such as network.host or security.insecure'],
} as const satisfies Record<string, readonly [RegExp, string]>;

function items(name: keyof typeof FORMS, values: string[]): string[] {
  const [form, accepted] = FORMS[name];
  for (const value of values) {
    if (!form.test(value)) throw new InputError(name, value, `expected ${accepted}`);
  }
  return values;
}

function single(name: string, text: string, form: RegExp, accepted: string): string | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  if (!form.test(value)) throw new InputError(name, text, `expected ${accepted}`);
  return value;
}

const SECRET_ID = /^[A-Za-z0-9_.-]+$/;

/** `secret-files` (ID=PATH) and `secret-envs` (ID=VARIABLE), as build-push-action writes them. */
function secretsOf(files: string[], envs: string[]): { raw: string; id: string }[] {
  const parse = (input: 'secret-files' | 'secret-envs', line: string, key: 'src' | 'env') => {
    const equals = line.indexOf('=');
    const id = line.slice(0, Math.max(equals, 0));
    const value = line.slice(equals + 1);
    if (equals <= 0 || !SECRET_ID.test(id) || value === '' || /[,\s]/.test(value)) {
      throw new InputError(input, line, `expected ID=${key === 'src' ? 'PATH' : 'VARIABLE'} per line`);
    }
    return { raw: `id=${id},${key}=${value}`, id };
  };
  return [
    ...files.map((line) => parse('secret-files', line, 'src')),
    ...envs.map((line) => parse('secret-envs', line, 'env')),
  ];
}

export function parseBuildOptions(input: OptionText): BuildOptions {
  const network = single(
    'network',
    input('network'),
    /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/,
    "'host', 'none' or a network name",
  );
  const shmSize = single(
    'shm-size',
    input('shm-size'),
    /^\d+(?:\.\d+)?[bkmgBKMG]?$/,
    'a size such as 2g or 512m',
  );
  return {
    load: parseBoolean('load', input('load'), false),
    noCache: parseBoolean('no-cache', input('no-cache'), false),
    pull: parseBoolean('pull', input('pull'), false),
    buildContexts: items('build-contexts', parseLines(input('build-contexts'))),
    ssh: items('ssh', parseLines(input('ssh'))),
    annotations: items('annotations', parseLines(input('annotations'))),
    ...(network === undefined ? {} : { network }),
    addHosts: items('add-hosts', parseList(input('add-hosts'))),
    ...(shmSize === undefined ? {} : { shmSize }),
    ulimits: items('ulimit', parseLines(input('ulimit'))),
    allow: items('allow', parseList(input('allow'))),
    secrets: secretsOf(parseLines(input('secret-files')), parseLines(input('secret-envs'))),
  };
}

/** The options only buildx can honour, by input name, as they are set. */
export function buildxOnlyOptions(options: BuildOptions): string[] {
  return [
    ...(options.load ? ['load'] : []),
    ...(options.buildContexts.length > 0 ? ['build-contexts'] : []),
    ...(options.ssh.length > 0 ? ['ssh'] : []),
    ...(options.annotations.length > 0 ? ['annotations'] : []),
    ...(options.allow.length > 0 ? ['allow'] : []),
    ...(options.secrets.some((secret) => secret.raw.includes(',src=')) ? ['secret-files'] : []),
    ...(options.secrets.some((secret) => secret.raw.includes(',env=')) ? ['secret-envs'] : []),
  ];
}

/** Flags both builders take. */
export function commonOptionArgs(options: BuildOptions): string[] {
  return [
    ...(options.noCache ? ['--no-cache'] : []),
    ...(options.pull ? ['--pull'] : []),
    ...(options.network === undefined ? [] : [`--network=${options.network}`]),
    ...options.addHosts.map((host) => `--add-host=${host}`),
    ...(options.shmSize === undefined ? [] : [`--shm-size=${options.shmSize}`]),
    ...options.ulimits.map((limit) => `--ulimit=${limit}`),
  ];
}

/** Flags only buildx takes (secrets go with the step's own `--secret` values). */
export function buildxOptionArgs(options: BuildOptions): string[] {
  return [
    ...options.buildContexts.map((context) => `--build-context=${context}`),
    ...options.ssh.map((ssh) => `--ssh=${ssh}`),
    ...options.annotations.map((annotation) => `--annotation=${annotation}`),
    ...options.allow.map((entitlement) => `--allow=${entitlement}`),
  ];
}
