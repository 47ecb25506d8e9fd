/**
 * The CLI's options are exactly the action's inputs (action.yml), each in --help with its ECR_PUSH_
 * variable, boolean inputs usable as bare flags, and an option left out means what action.yml's default
 * means (the runner fills defaults in; the CLI gives the action an empty input instead).
 */
import { describe, expect, test } from '@jest/globals';
import { helpText } from '../../src/cli/help.js';
import { OPTIONS, OPTION_GROUPS, envName } from '../../src/cli/options.js';
import { withInputs } from '../../src/cli/step-runner.js';
import { getInputs, getMetadataInputs } from '../../src/inputs/inputs.js';
import { readActionInputs, type ActionInput } from '../fixtures/action-yml.js';

const INPUTS = readActionInputs();
const BY_NAME = new Map(INPUTS.map((input) => [input.name, input]));
const HELP = helpText();

/** The values a description shows in backticks: `true`, `auto`, `team/app`, ... */
function backticked(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
}

/**
 * An input that takes true or false: a default of 'true' or 'false', or a description whose only
 * backticked values are true, false (and auto), such as scan-on-push and push.
 */
function booleanish(input: ActionInput): boolean {
  if (input.default === 'true' || input.default === 'false') return true;
  const values = backticked(input.description);
  return values.includes('true') && values.every((value) => ['true', 'false', 'auto'].includes(value));
}

describe('the action.yml reader', () => {
  test('reads every input with its default and description', () => {
    expect(INPUTS.length).toBeGreaterThan(30);
    expect(BY_NAME.get('mask-password')).toMatchObject({ default: 'true' });
    expect(BY_NAME.get('registry-type')).toMatchObject({ default: 'private' });
    expect(BY_NAME.get('repository')?.default).toBeUndefined();
    expect(BY_NAME.get('scan-on-push')?.description).toMatch(/^`true` or `false`/);
    for (const input of INPUTS) expect(input.description).not.toBe('');
  });
});

describe('the options are the action’s inputs', () => {
  test('the same names, no more and no fewer', () => {
    const options = OPTIONS.map((option) => option.name).sort();
    expect(options).toEqual(INPUTS.map((input) => input.name).sort());
  });

  test('no option is listed twice, and OPTIONS is OPTION_GROUPS in order', () => {
    expect(new Set(OPTIONS.map((option) => option.name)).size).toBe(OPTIONS.length);
    expect(OPTIONS).toEqual(OPTION_GROUPS.flatMap((group) => group.options));
  });

  test('the CLI’s own switches are not inputs', () => {
    for (const own of ['json', 'ci', 'help', 'version', 'h']) expect(BY_NAME.has(own)).toBe(false);
  });
});

describe('ECR_PUSH_* variable names', () => {
  test.each<[string, string]>([
    ['region', 'ECR_PUSH_REGION'],
    ['docker-config', 'ECR_PUSH_DOCKER_CONFIG'],
    ['tag-mutability-exclusions', 'ECR_PUSH_TAG_MUTABILITY_EXCLUSIONS'],
    ['build-args', 'ECR_PUSH_BUILD_ARGS'],
  ])('%s → %s', (option, variable) => {
    expect(envName(option)).toBe(variable);
  });

  test('every option’s variable is a portable shell name, and no two options share one', () => {
    const names = OPTIONS.map((option) => envName(option.name));
    for (const name of names) expect(name).toMatch(/^ECR_PUSH_[A-Z][A-Z0-9_]*$/);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('--help lists every option', () => {
  const lines = HELP.split('\n');

  test.each(OPTIONS.map((option) => [option.name, option] as const))('--%s', (name, option) => {
    const line = lines.find((text) => text.startsWith(`  --${name} `));
    expect(line).toBeDefined();
    expect(line).toContain(`[${envName(name)}]`);
    expect(line).toContain(option.help);
    // A flag is shown bare; an option that needs a value says so.
    expect(line?.startsWith(`  --${name} VALUE`)).toBe(!option.flag);
  });

  // help.ts pads the flag column to 28 characters; `--tag-mutability-exclusions VALUE` is 32, so it runs
  // into its help text: "--tag-mutability-exclusions VALUEwildcard filters for ...".
  test('a space between each option and its help, however long the option', () => {
    const joined = OPTIONS.map((option) => `--${option.name}${option.flag ? '' : ' VALUE'}`).filter(
      (flag) => !lines.some((text) => text.startsWith(`  ${flag} `)),
    );
    expect(joined).toEqual([]);
  });

  test('every command, --json, --ci and the exit codes', () => {
    for (const command of ['login', 'logout', 'tags', 'push', 'iam-policy']) {
      expect(HELP).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    }
    expect(HELP).toMatch(/^ {2}--json /m);
    expect(HELP).toMatch(/^ {2}--ci SYSTEM /m);
    expect(HELP).toContain('github, gitlab, travis, bitbucket, circleci, codeship or git');
    expect(HELP).toContain('Exit codes: 0 done, 1 failed, 2 usage error.');
  });

  test('each group once, in OPTION_GROUPS order', () => {
    const titles = OPTION_GROUPS.map((group) => HELP.indexOf(`\n${group.title}:\n`));
    expect(titles.every((index) => index >= 0)).toBe(true);
    expect([...titles].sort((a, b) => a - b)).toEqual(titles);
  });
});

describe('boolean inputs are flags', () => {
  const flags = new Set(OPTIONS.filter((option) => option.flag).map((option) => option.name));
  const booleans = INPUTS.filter(booleanish).map((input) => input.name);

  test('the boolean inputs found in action.yml', () => {
    expect(booleans.sort()).toEqual(
      [
        'build',
        'cleanup-dry-run',
        'create-repository',
        'label-build-args',
        'mask-password',
        'provenance',
        'push',
        'scan-on-push',
        'skip-logout',
        'sbom',
        'lambda',
        'load',
        'no-cache',
        'pull',
        'push-by-digest',
        'skip-existing',
        'wait-for-replication',
      ].sort(),
    );
  });

  test.each(booleans.filter((name) => name !== 'provenance').map((name) => [name]))(
    '%s is a flag',
    (name) => {
      expect(flags.has(name)).toBe(true);
    },
  );

  // provenance defaults to 'false' and takes 'true' (or mode=min/max), like push takes auto/true/false,
  // but it is not a flag: a bare `--provenance` fails ("needs a value") or takes the next word as its
  // value (`--provenance push` leaves no command and prints the help).
  test('provenance (default false, also true) is a flag', () => {
    expect(flags.has('provenance')).toBe(true);
  });

  test.each([...flags].map((name) => [name]))('the flag %s is a true/false input in action.yml', (name) => {
    const input = BY_NAME.get(name);
    expect(input && booleanish(input)).toBe(true);
  });

  test.each(['latest', 'builder', 'registry-type', 'on-immutable'].map((name) => [name]))(
    '%s takes words besides true and false: not a flag',
    (name) => {
      expect(flags.has(name)).toBe(false);
    },
  );
});

describe('an option left out means action.yml’s default', () => {
  const env = { AWS_REGION: 'eu-west-1' };
  const defaults = new Map(
    INPUTS.flatMap((input) => (input.default === undefined ? [] : [[input.name, input.default] as const])),
  );

  test('the inputs with a default', () => {
    expect([...defaults.keys()].length).toBeGreaterThan(10);
  });

  test('getInputs: the same settings with no option as with every default written out', () => {
    expect(withInputs(new Map(), () => getInputs(env))).toEqual(withInputs(defaults, () => getInputs(env)));
  });

  test('getMetadataInputs (the tags command): the same too', () => {
    expect(withInputs(new Map(), () => getMetadataInputs())).toEqual(
      withInputs(defaults, () => getMetadataInputs()),
    );
  });

  test.each([...defaults].map(([name, value]) => [name, value]))(
    '--%s left out is its default %p',
    (name, value) => {
      const given = new Map([[name, value]]);
      expect(withInputs(new Map(), () => getInputs(env))).toEqual(withInputs(given, () => getInputs(env)));
    },
  );
});
