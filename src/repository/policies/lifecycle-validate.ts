/** A lifecycle policy checked against ECR's rules before any call, each problem named by rule and field. Pure. */
import {
  describeJson,
  isObject,
  isPositiveInteger,
  isStringArray,
  unknownKeys,
  type JsonObject,
} from './json-shape.js';
import {
  ACTION_TYPES,
  COUNT_TYPES,
  MAX_LIFECYCLE_POLICY_LENGTH,
  MAX_PATTERN_WILDCARDS,
  STORAGE_CLASSES,
  TAG_STATUSES,
  type LifecyclePolicy,
} from './lifecycle-types.js';
import { PolicyError } from './policy-error.js';
import { countWildcards } from './wildcard.js';

const INPUT = 'lifecycle-policy';
const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'];
const SELECTION_KEYS = [
  'tagStatus',
  'tagPrefixList',
  'tagPatternList',
  'storageClass',
  'countType',
  'countUnit',
  'countNumber',
];
const ACTION_KEYS = ['type', 'targetStorageClass'];
/** Characters of an image tag; a pattern may also hold `*`. */
const TAG_PREFIX = /^[A-Za-z0-9._-]{1,128}$/;
const TAG_PATTERN = /^[A-Za-z0-9._*-]{1,128}$/;

/**
 * Checks a lifecycle policy against ECR's documented rules, so a mistake fails the step before any call and
 * names the rule. Returns the policy typed; throws PolicyError at the first problem.
 */
export function validateLifecyclePolicy(json: unknown): LifecyclePolicy {
  if (!isObject(json)) {
    throw new PolicyError(INPUT, '', `expected an object with "rules", got ${describeJson(json)}`);
  }
  const extra = unknownKeys(json, ['rules']);
  if (extra.length > 0) {
    throw new PolicyError(INPUT, '', `unknown key ${quoteList(extra)}; a policy holds only "rules"`);
  }
  const rules = json.rules;
  if (!Array.isArray(rules) || rules.length === 0) {
    throw new PolicyError(INPUT, '', `"rules" must be a non-empty array, got ${describeJson(rules)}`);
  }
  rules.forEach((rule, index) => {
    validateRule(rule, index);
  });
  const typed = json as unknown as LifecyclePolicy;
  validateAcrossRules(typed);
  const length = JSON.stringify(typed).length;
  if (length > MAX_LIFECYCLE_POLICY_LENGTH) {
    throw new PolicyError(
      INPUT,
      '',
      `the policy is ${length} characters; ECR takes at most ${MAX_LIFECYCLE_POLICY_LENGTH}, so merge or drop rules`,
    );
  }
  return typed;
}

/** `rule 2 (priority 5)`: the position the user counts and the number they wrote. */
export function ruleLocation(index: number, rule: unknown): string {
  const priority = isObject(rule) ? rule.rulePriority : undefined;
  return `rule ${index + 1}${isPositiveInteger(priority) ? ` (priority ${priority})` : ''}`;
}

function validateRule(rule: unknown, index: number): void {
  const where = ruleLocation(index, rule);
  const fail = (problem: string): never => {
    throw new PolicyError(INPUT, where, problem);
  };
  if (!isObject(rule)) return fail(`expected an object, got ${describeJson(rule)}`);
  checkKeys(rule, RULE_KEYS, fail);
  if (!isPositiveInteger(rule.rulePriority)) {
    fail(`"rulePriority" must be a whole number of 1 or more, got ${describeJson(rule.rulePriority)}`);
  }
  if (rule.description !== undefined && typeof rule.description !== 'string') {
    fail(`"description" must be a string, got ${describeJson(rule.description)}`);
  }
  if (!isObject(rule.selection)) {
    return fail(`"selection" must be an object, got ${describeJson(rule.selection)}`);
  }
  validateSelection(rule.selection, fail);
  if (!isObject(rule.action)) return fail(`"action" must be an object such as {"type": "expire"}`);
  validateAction(rule.action, rule.selection, fail);
}

function validateSelection(selection: JsonObject, fail: (problem: string) => never): void {
  checkKeys(selection, SELECTION_KEYS, fail, 'selection');
  const { tagStatus, tagPrefixList, tagPatternList, countType, countUnit, countNumber, storageClass } =
    selection;
  if (!isOneOf(tagStatus, TAG_STATUSES)) {
    fail(`"tagStatus" must be ${orList(TAG_STATUSES)}, got ${describeJson(tagStatus)}`);
  }
  if (tagStatus === 'tagged') {
    if (tagPrefixList === undefined && tagPatternList === undefined) {
      fail('a "tagged" rule needs "tagPrefixList" or "tagPatternList" to say which tags it selects');
    }
    if (tagPrefixList !== undefined && tagPatternList !== undefined) {
      fail('give "tagPrefixList" or "tagPatternList", not both');
    }
  } else if (tagPrefixList !== undefined || tagPatternList !== undefined) {
    fail(
      `"tagPrefixList" and "tagPatternList" select tags, so they only go with "tagStatus": "tagged", not "${tagStatus}"`,
    );
  }
  if (tagPrefixList !== undefined) checkTagList('tagPrefixList', tagPrefixList, TAG_PREFIX, fail);
  if (tagPatternList !== undefined) {
    checkTagList('tagPatternList', tagPatternList, TAG_PATTERN, fail);
    const crowded = (tagPatternList as string[]).find(
      (pattern) => countWildcards(pattern) > MAX_PATTERN_WILDCARDS,
    );
    if (crowded !== undefined) {
      fail(
        `the pattern "${crowded}" has ${countWildcards(crowded)} wildcards; ECR allows at most ${MAX_PATTERN_WILDCARDS} per pattern`,
      );
    }
  }
  if (!isOneOf(countType, COUNT_TYPES)) {
    fail(`"countType" must be ${orList(COUNT_TYPES)}, got ${describeJson(countType)}`);
  }
  if (countType === 'imageCountMoreThan') {
    if (countUnit !== undefined) {
      fail(
        '"countUnit" goes only with the age count types (since...); remove it from an imageCountMoreThan rule',
      );
    }
  } else if (countUnit !== 'days') {
    fail(`"${countType}" counts days: set "countUnit": "days", got ${describeJson(countUnit)}`);
  }
  if (!isPositiveInteger(countNumber)) {
    fail(`"countNumber" must be a whole number of 1 or more, got ${describeJson(countNumber)}`);
  }
  if (storageClass !== undefined && !isOneOf(storageClass, STORAGE_CLASSES)) {
    fail(`"storageClass" must be ${orList(STORAGE_CLASSES)}, got ${describeJson(storageClass)}`);
  }
  if (countType === 'sinceImageTransitioned' && storageClass !== 'archive') {
    fail('"sinceImageTransitioned" selects archived images: set "storageClass": "archive"');
  }
  if (countType !== 'sinceImageTransitioned' && storageClass === 'archive') {
    fail(`archived images are selected only with "countType": "sinceImageTransitioned", not "${countType}"`);
  }
}

function validateAction(action: JsonObject, selection: JsonObject, fail: (problem: string) => never): void {
  checkKeys(action, ACTION_KEYS, fail, 'action');
  if (!isOneOf(action.type, ACTION_TYPES)) {
    fail(`"action.type" must be ${orList(ACTION_TYPES)}, got ${describeJson(action.type)}`);
  }
  if (action.type === 'transition') {
    if (action.targetStorageClass !== 'archive') {
      fail('a "transition" action needs "targetStorageClass": "archive"');
    }
    if (selection.storageClass === 'archive') {
      fail('archived images cannot be transitioned again; expire them instead');
    }
  } else if (action.targetStorageClass !== undefined) {
    fail('"targetStorageClass" goes only with "type": "transition"');
  }
}

function validateAcrossRules(policy: LifecyclePolicy): void {
  const seen = new Map<number, number>();
  policy.rules.forEach((rule, index) => {
    const first = seen.get(rule.rulePriority);
    if (first !== undefined) {
      throw new PolicyError(
        INPUT,
        ruleLocation(index, rule),
        `rule ${first + 1} has the same priority; each rule needs its own "rulePriority"`,
      );
    }
    seen.set(rule.rulePriority, index);
  });
  // ECR evaluates a tagStatus "any" rule last, so it must carry the highest priority number.
  const highestOther = Math.max(
    0,
    ...policy.rules.filter((rule) => rule.selection.tagStatus !== 'any').map((rule) => rule.rulePriority),
  );
  policy.rules.forEach((rule, index) => {
    if (rule.selection.tagStatus === 'any' && rule.rulePriority < highestOther) {
      throw new PolicyError(
        INPUT,
        ruleLocation(index, rule),
        `a "tagStatus": "any" rule must have the highest "rulePriority", but ${highestOther} is higher; give it a number above ${highestOther}`,
      );
    }
  });
}

function checkKeys(
  object: JsonObject,
  known: string[],
  fail: (problem: string) => never,
  parent?: string,
): void {
  const extra = unknownKeys(object, known);
  if (extra.length > 0) {
    fail(
      `unknown key ${quoteList(extra)}${parent ? ` in "${parent}"` : ''}; known keys are ${quoteList(known)}`,
    );
  }
}

function checkTagList(name: string, list: unknown, pattern: RegExp, fail: (problem: string) => never): void {
  if (!isStringArray(list) || list.length === 0) {
    fail(`"${name}" must be a non-empty array of strings, got ${describeJson(list)}`);
  }
  const bad = list.find((item) => !pattern.test(item));
  if (bad !== undefined) {
    fail(
      `"${name}" entry "${bad}" is not a tag ${name === 'tagPatternList' ? 'pattern' : 'prefix'}: use 1-128 letters, digits, . _ -${name === 'tagPatternList' ? ' and *' : ''}`,
    );
  }
}

function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

function orList(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(' or ');
}

function quoteList(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}
