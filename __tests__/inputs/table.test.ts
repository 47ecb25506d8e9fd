/**
 * The input table is the one place an input is written: action.yml must say the same (names, order,
 * defaults), the repository inputs and the IAM features are derived from it, and a name outside it is a bug.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { iamFeaturesFor } from '../../src/iam/for-inputs.js';
import { getInputs } from '../../src/inputs/inputs.js';
import { readInput } from '../../src/inputs/read.js';
import {
  INPUTS,
  REPOSITORY_INPUTS,
  SECTIONS,
  inputSpec,
  type IamFeatureName,
} from '../../src/inputs/table.js';
import { InputError } from '../../src/shared/errors.js';
import { readActionInputs } from '../fixtures/action-yml.js';

const ACTION_INPUTS = readActionInputs();
const savedEnv = { ...process.env };
const REPOSITORIES = [{ region: 'eu-west-1', accountId: '123456789012', name: 'team/app' }];

function clearInputs(): void {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('INPUT_')) Reflect.deleteProperty(process.env, name);
  }
}

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

beforeEach(() => {
  clearInputs();
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  clearInputs();
  Object.assign(process.env, savedEnv);
});

describe('action.yml and the table agree', () => {
  test('the same inputs in the same order', () => {
    expect(INPUTS.map((spec) => spec.name)).toEqual(ACTION_INPUTS.map((input) => input.name));
  });

  test.each(ACTION_INPUTS.map((input) => [input.name, input.default] as const))(
    '%s: the same default',
    (name, fallback) => {
      expect(inputSpec(name).default).toBe(fallback);
    },
  );

  test('every input has help and a known section; sections come in order', () => {
    for (const spec of INPUTS) {
      expect(spec.help).not.toBe('');
      expect(SECTIONS).toContain(spec.section);
    }
    const order = INPUTS.map((spec) => SECTIONS.indexOf(spec.section));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test.each(INPUTS.filter((spec) => spec.value.kind === 'choice').map((spec) => [spec.name, spec] as const))(
    '%s: its choices are the values action.yml names',
    (name, spec) => {
      const description = ACTION_INPUTS.find((input) => input.name === name)?.description ?? '';
      if (spec.value.kind !== 'choice') throw new Error('not a choice');
      for (const value of spec.value.choices) expect(description).toContain(value);
    },
  );
});

describe('defaults are read from the table', () => {
  test.each(
    INPUTS.flatMap((spec) => (spec.default === undefined ? [] : [[spec.name, spec.default] as const])),
  )('an empty %s reads as %s', (name, fallback) => {
    expect(readInput(name)).toBe(fallback);
  });

  test('a given value wins over the default', () => {
    setInputs({ 'max-attempts': '7' });
    expect(readInput('max-attempts')).toBe('7');
  });

  test('a name outside the table is a programming error, not an empty input', () => {
    expect(() => readInput('max-attempt')).toThrow(/'max-attempt' is not an input of this action/);
  });

  test('the parsed defaults: no input given means what action.yml says', () => {
    setInputs({ region: 'eu-west-1' });
    const inputs = getInputs({});
    expect(inputs.maxAttempts).toBe(5);
    expect(inputs.maskPassword).toBe(true);
    expect(inputs.skipLogout).toBe(false);
    expect(inputs.management.onImmutable).toBe('skip');
    expect(inputs.build.labelBuildArgs).toBe(true);
  });
});

describe('the inputs that manage the repository need one', () => {
  test('derived from the table', () => {
    expect([...REPOSITORY_INPUTS].sort()).toEqual(
      [
        'cleanup',
        'create-repository',
        'encryption',
        'kms-key',
        'lifecycle-policy',
        'repository-policy',
        'repository-tags',
        'scan-on-push',
        'tag-mutability',
        'tag-mutability-exclusions',
      ].sort(),
    );
  });

  const SAMPLE: Record<string, string> = {
    cleanup: 'untagged',
    'create-repository': 'true',
    encryption: 'AES256',
    'kms-key': 'alias/app',
    'lifecycle-policy': 'keep=30',
    'repository-policy': 'pull-accounts: 210987654321',
    'repository-tags': 'team=platform',
    'scan-on-push': 'true',
    'tag-mutability': 'IMMUTABLE',
    'tag-mutability-exclusions': 'latest',
  };

  test.each(REPOSITORY_INPUTS.map((name) => [name]))('%s without repository fails naming both', (name) => {
    setInputs({ region: 'eu-west-1', [name]: SAMPLE[name] ?? 'x' });
    let error: unknown;
    try {
      getInputs({});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/'repository'/);
    expect((error as Error).message).toContain(name);
  });
});

describe('the IAM features come from the table’s iam column', () => {
  /** A value per input that switches its feature on; the rest of the configuration is the bare minimum. */
  const cases: [string, Record<string, string>, IamFeatureName[]][] = [
    ['create-repository', { 'create-repository': 'true' }, ['createRepository']],
    ['tag-mutability', { 'tag-mutability': 'IMMUTABLE' }, ['updateSettings']],
    ['scan-on-push', { 'scan-on-push': 'false' }, ['updateSettings']],
    [
      'repository-tags (with create-repository)',
      { 'create-repository': 'true', 'repository-tags': 'team=platform' },
      ['createRepository', 'repositoryTags'],
    ],
    [
      'kms-key (with create-repository)',
      {
        'create-repository': 'true',
        encryption: 'KMS',
        'kms-key': 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      ['createRepository', 'kmsKey'],
    ],
    ['lifecycle-policy', { 'lifecycle-policy': 'keep=30' }, ['lifecyclePolicy']],
    ['repository-policy', { 'repository-policy': 'pull-accounts: 210987654321' }, ['repositoryPolicy']],
    ['cleanup', { cleanup: 'untagged' }, ['cleanup']],
    ['cache', { build: 'true', cache: 'ecr', context: 'examples/app' }, ['pullFrom']],
  ];

  test.each(cases)('%s', (_name, given, features) => {
    setInputs({ region: 'eu-west-1', repository: 'team/app', ...given });
    const all = iamFeaturesFor(getInputs({}), REPOSITORIES);
    const base = ['login', 'repositories', 'push', 'describe'];
    expect(Object.keys(all).sort()).toEqual([...base, ...features].sort());
    for (const feature of features) {
      const spec = INPUTS.find((entry) => entry.iam?.features.includes(feature));
      expect(spec).toBeDefined();
    }
  });

  test('registry-type public: only ECR Public’s login', () => {
    setInputs({ 'registry-type': 'public' });
    expect(iamFeaturesFor(getInputs({}), [])).toEqual({ ecrPublic: true });
  });

  test('no repository: only the login', () => {
    setInputs({ region: 'eu-west-1' });
    expect(iamFeaturesFor(getInputs({}), [])).toEqual({ login: true });
  });

  test('repository-tags without create-repository asks for no TagResource', () => {
    setInputs({ region: 'eu-west-1', repository: 'team/app', 'repository-tags': 'team=platform' });
    expect(iamFeaturesFor(getInputs({}), REPOSITORIES)).not.toHaveProperty('repositoryTags');
  });
});
