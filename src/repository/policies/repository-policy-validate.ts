/** A repository policy checked against ECR's and IAM's rules before SetRepositoryPolicy. Pure. */
import { describeJson, isObject, isStringArray, unknownKeys, type JsonObject } from './json-shape.js';
import { PolicyError } from './policy-error.js';

const INPUT = 'repository-policy';
const VERSIONS = ['2012-10-17', '2008-10-17'];
const STATEMENT_KEYS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];
const PRINCIPAL_KEYS = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
const ECR_ACTION = /^ecr:[A-Za-z*?]+$/;
/** SetRepositoryPolicy's limit on the policy text. */
export const MAX_REPOSITORY_POLICY_LENGTH = 10240;

export interface RepositoryPolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  NotPrincipal?: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface RepositoryPolicy {
  Version: string;
  Id?: string;
  Statement: RepositoryPolicyStatement | RepositoryPolicyStatement[];
}

/**
 * Checks the grammar of a repository (resource) policy: ECR rejects the whole call for a typo, and its error
 * does not say where. Throws PolicyError naming the statement; returns the policy typed.
 */
export function validateRepositoryPolicy(json: unknown): RepositoryPolicy {
  if (!isObject(json)) {
    throw new PolicyError(
      INPUT,
      '',
      `expected an object with "Version" and "Statement", got ${describeJson(json)}`,
    );
  }
  const extra = unknownKeys(json, ['Version', 'Id', 'Statement']);
  if (extra.length > 0) {
    throw new PolicyError(
      INPUT,
      '',
      `unknown key "${extra.join('", "')}"; a policy holds "Version", "Id" and "Statement"`,
    );
  }
  if (typeof json.Version !== 'string' || !VERSIONS.includes(json.Version)) {
    throw new PolicyError(INPUT, '', `"Version" must be "2012-10-17", got ${describeJson(json.Version)}`);
  }
  if (json.Id !== undefined && typeof json.Id !== 'string') {
    throw new PolicyError(INPUT, '', '"Id" must be a string');
  }
  const statements = Array.isArray(json.Statement) ? (json.Statement as unknown[]) : [json.Statement];
  if (statements.length === 0 || json.Statement === undefined) {
    throw new PolicyError(INPUT, '', '"Statement" must hold at least one statement');
  }
  const sids = new Set<string>();
  statements.forEach((statement, index) => {
    validateStatement(statement, index, sids);
  });
  const length = JSON.stringify(json).length;
  if (length > MAX_REPOSITORY_POLICY_LENGTH) {
    throw new PolicyError(
      INPUT,
      '',
      `the policy is ${length} characters; ECR takes at most ${MAX_REPOSITORY_POLICY_LENGTH}`,
    );
  }
  return json as unknown as RepositoryPolicy;
}

function validateStatement(statement: unknown, index: number, sids: Set<string>): void {
  const sid =
    isObject(statement) && typeof statement.Sid === 'string' && statement.Sid !== ''
      ? ` (${statement.Sid})`
      : '';
  const where = `statement ${index + 1}${sid}`;
  const fail = (problem: string): never => {
    throw new PolicyError(INPUT, where, problem);
  };
  if (!isObject(statement)) return fail(`expected an object, got ${describeJson(statement)}`);
  const extra = unknownKeys(statement, STATEMENT_KEYS);
  if (extra.length > 0) {
    fail(`unknown key "${extra.join('", "')}"; known keys are ${STATEMENT_KEYS.join(', ')}`);
  }
  const sidValue = statement.Sid;
  if (sidValue !== undefined) {
    if (typeof sidValue !== 'string') return fail('"Sid" must be a string');
    if (sids.has(sidValue)) fail(`the Sid "${sidValue}" is used twice; each statement needs its own`);
    sids.add(sidValue);
  }
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    fail(`"Effect" must be "Allow" or "Deny", got ${describeJson(statement.Effect)}`);
  }
  const principal = exactlyOne(
    statement,
    'Principal',
    'NotPrincipal',
    fail,
    'a repository policy says who it applies to',
  );
  validatePrincipal(statement[principal], principal, fail);
  const action = exactlyOne(statement, 'Action', 'NotAction', fail, 'e.g. "Action": ["ecr:BatchGetImage"]');
  validateActions(statement[action], action, fail);
  for (const key of ['Resource', 'NotResource'] as const) {
    const value = statement[key];
    if (value !== undefined && typeof value !== 'string' && !(isStringArray(value) && value.length > 0)) {
      fail(`"${key}" must be a string or a non-empty array of strings`);
    }
  }
  if (statement.Condition !== undefined) validateCondition(statement.Condition, fail);
}

function exactlyOne<K extends string>(
  statement: JsonObject,
  key: K,
  notKey: K,
  fail: (problem: string) => never,
  hint: string,
): K {
  const has = statement[key] !== undefined;
  const hasNot = statement[notKey] !== undefined;
  if (has === hasNot) fail(`give either "${key}" or "${notKey}" (${hint})`);
  return has ? key : notKey;
}

function validatePrincipal(value: unknown, key: string, fail: (problem: string) => never): void {
  if (value === '*') return;
  if (!isObject(value) || Object.keys(value).length === 0) {
    fail(
      `"${key}" must be "*" or an object such as {"AWS": "arn:aws:iam::111111111111:root"}, got ${describeJson(value)}`,
    );
  }
  const extra = unknownKeys(value, PRINCIPAL_KEYS);
  if (extra.length > 0) {
    fail(`"${key}" has unknown key "${extra.join('", "')}"; use ${PRINCIPAL_KEYS.join(', ')}`);
  }
  for (const [type, ids] of Object.entries(value)) {
    if (!nonEmptyStrings(ids)) fail(`"${key}.${type}" must be a string or a non-empty array of strings`);
  }
}

function validateActions(value: unknown, key: string, fail: (problem: string) => never): void {
  if (!nonEmptyStrings(value)) fail(`"${key}" must be a string or a non-empty array of strings`);
  const actions = typeof value === 'string' ? [value] : (value as string[]);
  const bad = actions.find((action) => !ECR_ACTION.test(action));
  if (bad !== undefined) {
    fail(
      `"${bad}" is not an ECR action; a repository policy grants only ecr: actions such as "ecr:BatchGetImage" (or "ecr:*")`,
    );
  }
}

function validateCondition(value: unknown, fail: (problem: string) => never): void {
  if (!isObject(value)) {
    return fail('"Condition" must be an object such as {"StringEquals": {"aws:PrincipalOrgID": "o-..."}}');
  }
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) fail(`"Condition.${operator}" must be an object of condition keys`);
  }
}

function nonEmptyStrings(value: unknown): boolean {
  return (
    (typeof value === 'string' && value !== '') ||
    (isStringArray(value) && value.length > 0 && value.every((item) => item !== ''))
  );
}
