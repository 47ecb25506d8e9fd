export const id = 319;
export const ids = [319];
export const modules = {

/***/ 7319:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  cleanUntagged: () => (/* binding */ cleanUntagged)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 10 modules
var lib_core = __webpack_require__(9469);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecr/dist-cjs/index.js
var dist_cjs = __webpack_require__(8249);
// EXTERNAL MODULE: ./node_modules/@smithy/node-http-handler/dist-cjs/index.js
var node_http_handler_dist_cjs = __webpack_require__(1279);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/proxy.js
var lib_proxy = __webpack_require__(9783);
// EXTERNAL MODULE: ./node_modules/tunnel/index.js
var tunnel = __webpack_require__(770);
;// CONCATENATED MODULE: ./src/aws/proxy.ts
/**
 * Routes the AWS SDK through an HTTP(S) proxy. Uses the `tunnel` agents that @actions/http-client already
 * brings into the bundle (no extra bytes) and its NO_PROXY matcher, so our rules match the toolkit's.
 */


/** The proxy to use for `endpoint`, or undefined when there is none or NO_PROXY exempts the endpoint. */
function proxyFor(endpoint, proxy) {
    if (!proxy || (0,lib_proxy/* checkBypass */.H)(endpoint))
        return undefined;
    return proxy;
}
/** `http://user:pass@host:3128` → `http://***@host:3128`: proxy URLs are logged without credentials. */
function redactProxy(proxy) {
    const shown = new URL(proxy.href);
    const hadCredentials = shown.username !== '' || shown.password !== '';
    shown.username = '';
    shown.password = '';
    return hadCredentials ? shown.href.replace('//', '//***@') : shown.href;
}
function createProxyAgents(proxy) {
    const proxyAuth = proxy.username || proxy.password
        ? `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
        : undefined;
    const options = {
        proxy: {
            host: proxy.hostname,
            port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
            ...(proxyAuth === undefined ? {} : { proxyAuth }),
        },
    };
    const overHttps = proxy.protocol === 'https:';
    return {
        httpAgent: usableBySdk(overHttps ? tunnel.httpOverHttps(options) : tunnel.httpOverHttp(options)),
        // tunnel's typings call every agent an http.Agent; these two do speak TLS to the target.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
        httpsAgent: usableBySdk(overHttps ? tunnel.httpsOverHttps(options) : tunnel.httpsOverHttp(options)),
    };
}
/**
 * NodeHttpHandler uses an agent as it is only when it is an http(s).Agent or has a destroy() method; it
 * takes anything else for agent options and connects directly, ignoring the proxy. tunnel's agents are
 * plain EventEmitters, so they get a destroy() (which closes the tunnels still open).
 */
function usableBySdk(agent) {
    const sockets = agent.sockets;
    return Object.assign(agent, {
        destroy: () => {
            for (const socket of [...sockets])
                socket.destroy?.();
        },
    });
}

;// CONCATENATED MODULE: ./src/aws/client-options.ts
/**
 * Options shared by every AWS client we create: region, retries and the HTTP handler (timeouts, proxy).
 * Retries are the SDK's own standard strategy (exponential backoff with full jitter on throttling, 5xx,
 * timeouts and connection errors), bounded by the `max-attempts` input.
 */


/** A hung connection must end in a retry, not in a job that waits for its own time-out. */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 15_000;
const USER_AGENT = 'ecr-push-action';
function clientOptions(region, settings, extra = {}, timeouts = {}) {
    const proxy = proxyFor(settings.endpoint, settings.proxy);
    return {
        region,
        maxAttempts: settings.maxAttempts,
        customUserAgent: USER_AGENT,
        ...extra,
        requestHandler: new node_http_handler_dist_cjs.NodeHttpHandler({
            connectionTimeout: timeouts.connectionMs ?? CONNECTION_TIMEOUT_MS,
            requestTimeout: timeouts.requestMs ?? REQUEST_TIMEOUT_MS,
            // Without it the SDK only logs a warning when requestTimeout passes, and the call goes on waiting.
            throwOnRequestTimeout: true,
            ...(proxy ? createProxyAgents(proxy) : {}),
        }),
    };
}
/**
 * The endpoint the SDK will call for a service: the configured-endpoint variables it honours first,
 * else the public one. Used to decide whether NO_PROXY exempts it.
 */
function serviceEndpoint(env, envSuffix, defaultHost) {
    const configured = env[`AWS_ENDPOINT_URL_${envSuffix}`] || env.AWS_ENDPOINT_URL;
    try {
        if (configured)
            return new URL(configured);
    }
    catch {
        // The SDK itself reports a malformed endpoint variable; fall back to the public host for NO_PROXY.
    }
    return new URL(`https://${defaultHost}`);
}
/** Each partition's DNS suffix, by region prefix, as the SDK's endpoint rules have them. */
const PARTITION_SUFFIXES = [
    ['cn-', 'amazonaws.com.cn'],
    ['eusc-', 'amazonaws.eu'],
    ['us-isob-', 'sc2s.sgov.gov'],
    ['us-isof-', 'csp.hci.ic.gov'],
    ['us-iso-', 'c2s.ic.gov'],
    ['eu-isoe-', 'cloud.adc-e.uk'],
];
/** The host the SDK calls for the ECR API of `region` (China, EU sovereign, ISO and FIPS included). */
function ecrApiHost(region, fips) {
    const suffix = PARTITION_SUFFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'amazonaws.com';
    return `api.ecr${fips ? '-fips' : ''}.${region}.${suffix}`;
}

;// CONCATENATED MODULE: ./src/aws/ecr-client.ts
/** An ECR client for one region, with our retries, time-outs and proxy (NO_PROXY checked against its real endpoint). */


function ecrClientFor(region, fips, settings, env) {
    const endpoint = serviceEndpoint(env, 'ECR', ecrApiHost(region, fips));
    return new dist_cjs/* ECRClient */.S70(clientOptions(region, { ...settings, endpoint }, fips ? { useFipsEndpoint: true } : {}));
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/policies/kms-key.ts

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;
function kms_key_parseKmsKey(text) {
    const value = text.trim();
    if (KEY_ID.test(value))
        return { form: 'key-id', value, keyId: value };
    if (ALIAS.test(value))
        return { form: 'alias-name', value, alias: value };
    const arn = ARN.exec(value);
    if (arn) {
        const [, partition = '', region = '', accountId = '', resource = ''] = arn;
        if (resource.startsWith('key/') && KEY_ID.test(resource.slice(4))) {
            return { form: 'key-arn', value, partition, region, accountId, keyId: resource.slice(4) };
        }
        if (ALIAS.test(resource)) {
            return { form: 'alias-arn', value, partition, region, accountId, alias: resource };
        }
    }
    throw new InputError('kms-key', value, 'give a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), a key ID, an alias (alias/NAME) or an alias ARN');
}

// EXTERNAL MODULE: ./node_modules/csv-parse/lib/sync.js + 5 modules
var sync = __webpack_require__(9329);
;// CONCATENATED MODULE: ./src/lists.ts

/**
 * Splits a list input as docker/metadata-action does: items separated by commas or newlines, quoted with
 * `"` when an item itself holds a comma. Blank items and surrounding white space are dropped; lines
 * starting with `#` are comments.
 */
function lists_parseList(text) {
    return lists_parseRows(text).flat();
}
/** One row per line, each split on commas (CSV quoting); blank lines and `#` comments dropped. */
function lists_parseRows(text) {
    const rows = parse(text, {
        columns: false,
        comment: '#',
        // Only whole lines are comments: '#' inside a value (a tag, a label, a key=a#b) is kept.
        comment_no_infix: true,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        trim: true,
    });
    return rows.map((row) => row.filter((item) => item !== '')).filter((row) => row.length > 0);
}
/**
 * One item per line, for inputs whose items hold commas themselves (`KEY=a,b`, `type=registry,ref=...`):
 * lines trimmed, blank lines and whole-line `#` comments dropped.
 */
function lists_parseLines(text) {
    return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
}

;// CONCATENATED MODULE: ./src/policies/lifecycle-shorthand.ts


const INPUT = 'lifecycle-policy';
/**
 * The shorthand's keys. `keep`/`keep-days` make the catch-all rule, `untagged-*` the rule for untagged
 * images, `keep-prefix`/`keep-pattern` (repeatable) a rule for one group of tags: `v:100` keeps 100,
 * `pr-:14d` keeps 14 days.
 */
const lifecycle_shorthand_LIFECYCLE_SHORTHAND_KEYS = (/* unused pure expression or super */ null && ([
    'keep',
    'keep-days',
    'untagged-keep',
    'untagged-days',
    'keep-prefix',
    'keep-pattern',
]));
const EXAMPLE = 'e.g. keep=30, untagged-days=7, keep-prefix=v:100';
/**
 * Compiles `keep=30, untagged-days=7, keep-prefix=v:100` into an ECR lifecycle policy. Priorities follow
 * ECR's evaluation order: tag groups first (in the order written, so each keeps its own images), then the
 * untagged rule, then the catch-all, which ECR requires to come last.
 */
function lifecycle_shorthand_compileLifecycleShorthand(text) {
    const parsed = parseShorthand(text);
    const rules = parsed.groups.map(({ kind, value, limit }) => kind === 'prefix'
        ? rule(`images tagged ${value}*`, { tagStatus: 'tagged', tagPrefixList: [value] }, limit)
        : rule(`images tagged ${value}`, { tagStatus: 'tagged', tagPatternList: [value] }, limit));
    if (parsed.untagged)
        rules.push(rule('untagged images', { tagStatus: 'untagged' }, parsed.untagged.limit));
    if (parsed.catchAll) {
        const subject = rules.length > 0 ? 'other images' : 'images';
        rules.push(rule(subject, { tagStatus: 'any' }, parsed.catchAll.limit));
    }
    return { rules: rules.map((body, index) => ({ rulePriority: index + 1, ...body })) };
}
function parseShorthand(text) {
    const parsed = { groups: [] };
    const items = parseList(text);
    if (items.length === 0)
        throw new InputError(INPUT, text, `give at least one rule, ${EXAMPLE}`);
    for (const item of items) {
        const match = /^([a-z-]+)\s*[=:]\s*(.*)$/i.exec(item);
        const key = match?.[1]?.toLowerCase();
        const value = match?.[2] ?? '';
        if (!isShorthandKey(key)) {
            const known = lifecycle_shorthand_LIFECYCLE_SHORTHAND_KEYS.map((name) => `${name}=`).join(', ');
            throw new InputError(INPUT, item, `shorthand items are ${known}; ${EXAMPLE}`);
        }
        if (key === 'keep-prefix' || key === 'keep-pattern') {
            parsed.groups.push(parseGroup(item, value, key === 'keep-prefix' ? 'prefix' : 'pattern', parsed));
            continue;
        }
        const limit = key.endsWith('-days')
            ? { days: wholeNumber(item, value) }
            : { count: wholeNumber(item, value) };
        if (key === 'keep' || key === 'keep-days') {
            if (parsed.catchAll) {
                throw new InputError(INPUT, `${parsed.catchAll.item}, ${item}`, 'both make the catch-all rule and ECR allows one; keep one of them');
            }
            parsed.catchAll = { item, limit };
        }
        else {
            if (parsed.untagged) {
                throw new InputError(INPUT, `${parsed.untagged.item}, ${item}`, 'both select untagged images and ECR allows one such rule; keep one of them');
            }
            parsed.untagged = { item, limit };
        }
    }
    return parsed;
}
function isShorthandKey(key) {
    return lifecycle_shorthand_LIFECYCLE_SHORTHAND_KEYS.includes(key);
}
/** `v:100` or `pr-:14d`; the last `:` splits, so a pattern may not hold one (tags never do). */
function parseGroup(item, value, kind, parsed) {
    const colon = value.lastIndexOf(':');
    const tags = colon < 0 ? '' : value.slice(0, colon).trim();
    const limitText = colon < 0 ? '' : value.slice(colon + 1).trim();
    const form = kind === 'prefix'
        ? 'keep-prefix=PREFIX:COUNT or keep-prefix=PREFIX:DAYSd, e.g. keep-prefix=v:100 or keep-prefix=pr-:14d'
        : 'keep-pattern=PATTERN:COUNT or keep-pattern=PATTERN:DAYSd, e.g. keep-pattern=release-*:50';
    const allowed = kind === 'prefix' ? /^[A-Za-z0-9._-]{1,128}$/ : /^[A-Za-z0-9._*-]{1,128}$/;
    if (!allowed.test(tags) || !/^\d+d?$/.test(limitText))
        throw new InputError(INPUT, item, `use ${form}`);
    if (parsed.groups.some((group) => group.kind === kind && group.value === tags)) {
        throw new InputError(INPUT, item, `the ${kind} '${tags}' is given twice; ECR needs each tag ${kind} in one rule only`);
    }
    const limit = limitText.endsWith('d')
        ? { days: wholeNumber(item, limitText.slice(0, -1)) }
        : { count: wholeNumber(item, limitText) };
    return { kind, value: tags, limit };
}
function wholeNumber(item, text) {
    const number = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!Number.isSafeInteger(number) || number < 1) {
        throw new InputError(INPUT, item, `the number must be a whole number of 1 or more; ${EXAMPLE}`);
    }
    return number;
}
function rule(subject, tags, limit) {
    const count = 'count' in limit
        ? { countType: 'imageCountMoreThan', countNumber: limit.count }
        : { countType: 'sinceImagePushed', countUnit: 'days', countNumber: limit.days };
    const description = 'count' in limit
        ? `Keep the ${limit.count} most recent ${subject}`
        : `Expire ${subject} ${limit.days} days after push`;
    return { description, selection: { ...tags, ...count }, action: { type: 'expire' } };
}

;// CONCATENATED MODULE: ./src/policies/policy-error.ts

/**
 * A policy (lifecycle or repository) that ECR would reject, found before any call. The message starts with
 * the input and the place in the policy (`lifecycle-policy: rule 2 (priority 5): ...`) so the user can find it.
 */
class policy_error_PolicyError extends errors/* ActionError */.lZ {
    input;
    location;
    problem;
    constructor(input, location, problem) {
        super(`${input}: ${location === '' ? '' : `${location}: `}${problem}${/[.!?]$/.test(problem) ? '' : '.'}`);
        this.input = input;
        this.location = location;
        this.problem = problem;
        this.name = 'PolicyError';
    }
}

;// CONCATENATED MODULE: ./src/policies/lifecycle-validate.ts




const lifecycle_validate_INPUT = 'lifecycle-policy';
const RULE_KEYS = (/* unused pure expression or super */ null && (['rulePriority', 'description', 'selection', 'action']));
const SELECTION_KEYS = (/* unused pure expression or super */ null && ([
    'tagStatus',
    'tagPrefixList',
    'tagPatternList',
    'storageClass',
    'countType',
    'countUnit',
    'countNumber',
]));
const ACTION_KEYS = (/* unused pure expression or super */ null && (['type', 'targetStorageClass']));
/** Characters of an image tag; a pattern may also hold `*`. */
const TAG_PREFIX = /^[A-Za-z0-9._-]{1,128}$/;
const TAG_PATTERN = /^[A-Za-z0-9._*-]{1,128}$/;
/**
 * Checks a lifecycle policy against ECR's documented rules, so a mistake fails the step before any call and
 * names the rule. Returns the policy typed; throws PolicyError at the first problem.
 */
function lifecycle_validate_validateLifecyclePolicy(json) {
    if (!isObject(json)) {
        throw new PolicyError(lifecycle_validate_INPUT, '', `expected an object with "rules", got ${describeJson(json)}`);
    }
    const extra = unknownKeys(json, ['rules']);
    if (extra.length > 0) {
        throw new PolicyError(lifecycle_validate_INPUT, '', `unknown key ${quoteList(extra)}; a policy holds only "rules"`);
    }
    const rules = json.rules;
    if (!Array.isArray(rules) || rules.length === 0) {
        throw new PolicyError(lifecycle_validate_INPUT, '', `"rules" must be a non-empty array, got ${describeJson(rules)}`);
    }
    rules.forEach((rule, index) => {
        validateRule(rule, index);
    });
    const typed = json;
    validateAcrossRules(typed);
    const length = JSON.stringify(typed).length;
    if (length > MAX_LIFECYCLE_POLICY_LENGTH) {
        throw new PolicyError(lifecycle_validate_INPUT, '', `the policy is ${length} characters; ECR takes at most ${MAX_LIFECYCLE_POLICY_LENGTH}, so merge or drop rules`);
    }
    return typed;
}
/** `rule 2 (priority 5)`: the position the user counts and the number they wrote. */
function ruleLocation(index, rule) {
    const priority = isObject(rule) ? rule.rulePriority : undefined;
    return `rule ${index + 1}${isPositiveInteger(priority) ? ` (priority ${priority})` : ''}`;
}
function validateRule(rule, index) {
    const where = ruleLocation(index, rule);
    const fail = (problem) => {
        throw new PolicyError(lifecycle_validate_INPUT, where, problem);
    };
    if (!isObject(rule))
        return fail(`expected an object, got ${describeJson(rule)}`);
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
    if (!isObject(rule.action))
        return fail(`"action" must be an object such as {"type": "expire"}`);
    validateAction(rule.action, rule.selection, fail);
}
function validateSelection(selection, fail) {
    checkKeys(selection, SELECTION_KEYS, fail, 'selection');
    const { tagStatus, tagPrefixList, tagPatternList, countType, countUnit, countNumber, storageClass } = selection;
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
    }
    else if (tagPrefixList !== undefined || tagPatternList !== undefined) {
        fail(`"tagPrefixList" and "tagPatternList" select tags, so they only go with "tagStatus": "tagged", not "${tagStatus}"`);
    }
    if (tagPrefixList !== undefined)
        checkTagList('tagPrefixList', tagPrefixList, TAG_PREFIX, fail);
    if (tagPatternList !== undefined) {
        checkTagList('tagPatternList', tagPatternList, TAG_PATTERN, fail);
        const crowded = tagPatternList.find((pattern) => countWildcards(pattern) > MAX_PATTERN_WILDCARDS);
        if (crowded !== undefined) {
            fail(`the pattern "${crowded}" has ${countWildcards(crowded)} wildcards; ECR allows at most ${MAX_PATTERN_WILDCARDS} per pattern`);
        }
    }
    if (!isOneOf(countType, COUNT_TYPES)) {
        fail(`"countType" must be ${orList(COUNT_TYPES)}, got ${describeJson(countType)}`);
    }
    if (countType === 'imageCountMoreThan') {
        if (countUnit !== undefined) {
            fail('"countUnit" goes only with the age count types (since...); remove it from an imageCountMoreThan rule');
        }
    }
    else if (countUnit !== 'days') {
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
function validateAction(action, selection, fail) {
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
    }
    else if (action.targetStorageClass !== undefined) {
        fail('"targetStorageClass" goes only with "type": "transition"');
    }
}
function validateAcrossRules(policy) {
    const seen = new Map();
    policy.rules.forEach((rule, index) => {
        const first = seen.get(rule.rulePriority);
        if (first !== undefined) {
            throw new PolicyError(lifecycle_validate_INPUT, ruleLocation(index, rule), `rule ${first + 1} has the same priority; each rule needs its own "rulePriority"`);
        }
        seen.set(rule.rulePriority, index);
    });
    // ECR evaluates a tagStatus "any" rule last, so it must carry the highest priority number.
    const highestOther = Math.max(0, ...policy.rules.filter((rule) => rule.selection.tagStatus !== 'any').map((rule) => rule.rulePriority));
    policy.rules.forEach((rule, index) => {
        if (rule.selection.tagStatus === 'any' && rule.rulePriority < highestOther) {
            throw new PolicyError(lifecycle_validate_INPUT, ruleLocation(index, rule), `a "tagStatus": "any" rule must have the highest "rulePriority", but ${highestOther} is higher; give it a number above ${highestOther}`);
        }
    });
}
function checkKeys(object, known, fail, parent) {
    const extra = unknownKeys(object, known);
    if (extra.length > 0) {
        fail(`unknown key ${quoteList(extra)}${parent ? ` in "${parent}"` : ''}; known keys are ${quoteList(known)}`);
    }
}
function checkTagList(name, list, pattern, fail) {
    if (!isStringArray(list) || list.length === 0) {
        fail(`"${name}" must be a non-empty array of strings, got ${describeJson(list)}`);
    }
    const bad = list.find((item) => !pattern.test(item));
    if (bad !== undefined) {
        fail(`"${name}" entry "${bad}" is not a tag ${name === 'tagPatternList' ? 'pattern' : 'prefix'}: use 1-128 letters, digits, . _ -${name === 'tagPatternList' ? ' and *' : ''}`);
    }
}
function isOneOf(value, allowed) {
    return typeof value === 'string' && allowed.includes(value);
}
function orList(values) {
    return values.map((value) => `"${value}"`).join(' or ');
}
function quoteList(values) {
    return values.map((value) => `"${value}"`).join(', ');
}

;// CONCATENATED MODULE: ./src/policies/policy-source.ts

/**
 * Tells the three ways a policy input can be written apart: inline JSON starts with `{`; shorthand starts
 * with one of `shorthandKeys` followed by `=` or `:`; anything else is a path to a JSON file.
 */
function policy_source_readPolicySource(input, text, readFile, shorthandKeys) {
    const trimmed = text.trim();
    if (trimmed.startsWith('{'))
        return { kind: 'inline', json: parseJson(input, trimmed, 'inline JSON') };
    const firstKey = /^([a-z][a-z-]*)\s*[=:]/i.exec(trimmed)?.[1]?.toLowerCase();
    if (firstKey !== undefined && shorthandKeys.includes(firstKey))
        return { kind: 'shorthand', text: trimmed };
    let content;
    try {
        content = readFile(trimmed);
    }
    catch (error) {
        throw new InputError(input, trimmed, `it is read as a file path, and the file could not be read (${messageOf(error)}); give a path to a JSON file in the workspace, inline JSON starting with '{', or shorthand starting with ${shorthandKeys.map((key) => `'${key}='`).join(', ')}`);
    }
    return { kind: 'file', path: trimmed, json: parseJson(input, content, `file ${trimmed}`) };
}
function parseJson(input, text, where) {
    try {
        return JSON.parse(text);
    }
    catch (error) {
        throw new ActionError(`${input}: the ${where} is not valid JSON (${messageOf(error)}); fix the syntax.`);
    }
}

;// CONCATENATED MODULE: ./src/policies/lifecycle.ts



/**
 * The `lifecycle-policy` input, whichever way it is written (inline JSON, a path to a JSON file, or shorthand
 * such as `keep=30, untagged-days=7`), validated before any call. Undefined when the input is empty: the
 * repository's policy is then left as it is.
 */
function lifecycle_resolveLifecyclePolicy(text, readFile) {
    if (text.trim() === '')
        return undefined;
    const source = readPolicySource('lifecycle-policy', text, readFile, LIFECYCLE_SHORTHAND_KEYS);
    // Compiled policies go through the same validation: a shorthand bug must not reach ECR either.
    const policy = validateLifecyclePolicy(source.kind === 'shorthand' ? compileLifecycleShorthand(source.text) : source.json);
    return { policy, text: JSON.stringify(policy), source: source.kind };
}

;// CONCATENATED MODULE: ./src/policies/repository-policy-validate.ts


const repository_policy_validate_INPUT = 'repository-policy';
const VERSIONS = (/* unused pure expression or super */ null && (['2012-10-17', '2008-10-17']));
const STATEMENT_KEYS = (/* unused pure expression or super */ null && ([
    'Sid',
    'Effect',
    'Principal',
    'NotPrincipal',
    'Action',
    'NotAction',
    'Resource',
    'NotResource',
    'Condition',
]));
const PRINCIPAL_KEYS = (/* unused pure expression or super */ null && (['AWS', 'Service', 'Federated', 'CanonicalUser']));
const ECR_ACTION = /^ecr:[A-Za-z*?]+$/;
/** SetRepositoryPolicy's limit on the policy text. */
const MAX_REPOSITORY_POLICY_LENGTH = 10240;
/**
 * Checks the grammar of a repository (resource) policy: ECR rejects the whole call for a typo, and its error
 * does not say where. Throws PolicyError naming the statement; returns the policy typed.
 */
function repository_policy_validate_validateRepositoryPolicy(json) {
    if (!isObject(json)) {
        throw new PolicyError(repository_policy_validate_INPUT, '', `expected an object with "Version" and "Statement", got ${describeJson(json)}`);
    }
    const extra = unknownKeys(json, ['Version', 'Id', 'Statement']);
    if (extra.length > 0) {
        throw new PolicyError(repository_policy_validate_INPUT, '', `unknown key "${extra.join('", "')}"; a policy holds "Version", "Id" and "Statement"`);
    }
    if (typeof json.Version !== 'string' || !VERSIONS.includes(json.Version)) {
        throw new PolicyError(repository_policy_validate_INPUT, '', `"Version" must be "2012-10-17", got ${describeJson(json.Version)}`);
    }
    if (json.Id !== undefined && typeof json.Id !== 'string') {
        throw new PolicyError(repository_policy_validate_INPUT, '', '"Id" must be a string');
    }
    const statements = Array.isArray(json.Statement) ? json.Statement : [json.Statement];
    if (statements.length === 0 || json.Statement === undefined) {
        throw new PolicyError(repository_policy_validate_INPUT, '', '"Statement" must hold at least one statement');
    }
    const sids = new Set();
    statements.forEach((statement, index) => {
        validateStatement(statement, index, sids);
    });
    const length = JSON.stringify(json).length;
    if (length > MAX_REPOSITORY_POLICY_LENGTH) {
        throw new PolicyError(repository_policy_validate_INPUT, '', `the policy is ${length} characters; ECR takes at most ${MAX_REPOSITORY_POLICY_LENGTH}`);
    }
    return json;
}
function validateStatement(statement, index, sids) {
    const sid = isObject(statement) && typeof statement.Sid === 'string' && statement.Sid !== ''
        ? ` (${statement.Sid})`
        : '';
    const where = `statement ${index + 1}${sid}`;
    const fail = (problem) => {
        throw new PolicyError(repository_policy_validate_INPUT, where, problem);
    };
    if (!isObject(statement))
        return fail(`expected an object, got ${describeJson(statement)}`);
    const extra = unknownKeys(statement, STATEMENT_KEYS);
    if (extra.length > 0) {
        fail(`unknown key "${extra.join('", "')}"; known keys are ${STATEMENT_KEYS.join(', ')}`);
    }
    const sidValue = statement.Sid;
    if (sidValue !== undefined) {
        if (typeof sidValue !== 'string')
            return fail('"Sid" must be a string');
        if (sids.has(sidValue))
            fail(`the Sid "${sidValue}" is used twice; each statement needs its own`);
        sids.add(sidValue);
    }
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
        fail(`"Effect" must be "Allow" or "Deny", got ${describeJson(statement.Effect)}`);
    }
    const principal = exactlyOne(statement, 'Principal', 'NotPrincipal', fail, 'a repository policy says who it applies to');
    validatePrincipal(statement[principal], principal, fail);
    const action = exactlyOne(statement, 'Action', 'NotAction', fail, 'e.g. "Action": ["ecr:BatchGetImage"]');
    validateActions(statement[action], action, fail);
    for (const key of ['Resource', 'NotResource']) {
        const value = statement[key];
        if (value !== undefined && typeof value !== 'string' && !(isStringArray(value) && value.length > 0)) {
            fail(`"${key}" must be a string or a non-empty array of strings`);
        }
    }
    if (statement.Condition !== undefined)
        validateCondition(statement.Condition, fail);
}
function exactlyOne(statement, key, notKey, fail, hint) {
    const has = statement[key] !== undefined;
    const hasNot = statement[notKey] !== undefined;
    if (has === hasNot)
        fail(`give either "${key}" or "${notKey}" (${hint})`);
    return has ? key : notKey;
}
function validatePrincipal(value, key, fail) {
    if (value === '*')
        return;
    if (!isObject(value) || Object.keys(value).length === 0) {
        fail(`"${key}" must be "*" or an object such as {"AWS": "arn:aws:iam::111111111111:root"}, got ${describeJson(value)}`);
    }
    const extra = unknownKeys(value, PRINCIPAL_KEYS);
    if (extra.length > 0) {
        fail(`"${key}" has unknown key "${extra.join('", "')}"; use ${PRINCIPAL_KEYS.join(', ')}`);
    }
    for (const [type, ids] of Object.entries(value)) {
        if (!nonEmptyStrings(ids))
            fail(`"${key}.${type}" must be a string or a non-empty array of strings`);
    }
}
function validateActions(value, key, fail) {
    if (!nonEmptyStrings(value))
        fail(`"${key}" must be a string or a non-empty array of strings`);
    const actions = typeof value === 'string' ? [value] : value;
    const bad = actions.find((action) => !ECR_ACTION.test(action));
    if (bad !== undefined) {
        fail(`"${bad}" is not an ECR action; a repository policy grants only ecr: actions such as "ecr:BatchGetImage" (or "ecr:*")`);
    }
}
function validateCondition(value, fail) {
    if (!isObject(value)) {
        return fail('"Condition" must be an object such as {"StringEquals": {"aws:PrincipalOrgID": "o-..."}}');
    }
    for (const [operator, block] of Object.entries(value)) {
        if (!isObject(block))
            fail(`"Condition.${operator}" must be an object of condition keys`);
    }
}
function nonEmptyStrings(value) {
    return ((typeof value === 'string' && value !== '') ||
        (isStringArray(value) && value.length > 0 && value.every((item) => item !== '')));
}

;// CONCATENATED MODULE: ./src/policies/repository-policy.ts





/** What another account needs to pull: read the manifest, find the layers, download them. */
const PULL_ACTIONS = (/* unused pure expression or super */ null && ([
    'ecr:BatchCheckLayerAvailability',
    'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer',
]));
const SHORTHAND_KEYS = (/* unused pure expression or super */ null && (['pull-accounts']));
const ACCOUNT_ID = /^\d{12}$/;
/**
 * The `repository-policy` input: inline JSON, a path to a JSON file, or `pull-accounts: 111111111111,
 * 222222222222`, validated before any call. Undefined when empty: the repository's policy is left alone.
 * `region` gives the partition of the account ARNs the shorthand writes.
 */
function repository_policy_resolveRepositoryPolicy(text, readFile, region) {
    if (text.trim() === '')
        return undefined;
    const source = readPolicySource('repository-policy', text, readFile, SHORTHAND_KEYS);
    const json = source.kind === 'shorthand' ? compilePullAccounts(source.text, region) : source.json;
    const policy = validateRepositoryPolicy(json);
    return { policy, text: JSON.stringify(policy), source: source.kind };
}
/**
 * `pull-accounts: 111111111111, 222222222222` → one statement letting those accounts pull. Accounts are
 * written as root ARNs, the form IAM stores, so the policy read back compares equal and is not rewritten.
 */
function compilePullAccounts(text, region) {
    const list = text.replace(/^pull-accounts\s*[=:]/i, '');
    const accounts = [...new Set(parseList(list))];
    if (accounts.length === 0) {
        throw new InputError('repository-policy', text, 'name the accounts, e.g. pull-accounts: 111111111111,222222222222');
    }
    const bad = accounts.find((account) => !ACCOUNT_ID.test(account));
    if (bad !== undefined) {
        throw new InputError('repository-policy', bad, 'an AWS account ID is 12 digits, e.g. pull-accounts: 111111111111,222222222222');
    }
    const partition = partitionOf(region);
    return {
        Version: '2012-10-17',
        Statement: [
            {
                Sid: 'AllowPullFromAccounts',
                Effect: 'Allow',
                Principal: { AWS: accounts.map((account) => accountRootArn(partition, account)) },
                Action: PULL_ACTIONS,
            },
        ],
    };
}

;// CONCATENATED MODULE: ./src/policies/repository-tags.ts


const repository_tags_INPUT = 'repository-tags';
/** AWS's tag limits: letters, digits, spaces and `_ . : / = + - @`; keys 1-128, values 0-256; 50 per resource. */
/** With the u flag the length bounds count characters, as AWS does, not UTF-16 units. */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_TAGS = 50;
/** `team=platform, cost-center=42` → tags, in the order written. */
function repository_tags_parseRepositoryTags(text) {
    const tags = [];
    for (const item of parseList(text)) {
        const tag = parseTag(item);
        if (tags.some((seen) => seen.key === tag.key)) {
            throw new InputError(repository_tags_INPUT, item, `the key '${tag.key}' is given twice; give each key once`);
        }
        tags.push(tag);
    }
    if (tags.length > MAX_TAGS) {
        throw new InputError(repository_tags_INPUT, text, `a repository holds at most ${MAX_TAGS} tags, this gives ${tags.length}`);
    }
    return tags;
}
function parseTag(item) {
    const equals = item.indexOf('=');
    if (equals < 0)
        throw new InputError(repository_tags_INPUT, item, 'each item is key=value, e.g. team=platform');
    const key = item.slice(0, equals).trim();
    const value = item.slice(equals + 1).trim();
    if (!TAG_KEY.test(key)) {
        throw new InputError(repository_tags_INPUT, item, "a tag key is 1-128 letters, digits, spaces or _ . : / = + - @ (split at the first '=')");
    }
    if (key.toLowerCase().startsWith('aws:')) {
        throw new InputError(repository_tags_INPUT, item, "keys starting with 'aws:' are reserved for AWS; choose another key");
    }
    if (!TAG_VALUE.test(value)) {
        throw new InputError(repository_tags_INPUT, item, 'a tag value is 0-256 letters, digits, spaces or _ . : / = + - @');
    }
    return { key, value };
}

;// CONCATENATED MODULE: ./src/policies/repository-settings.ts





function repository_settings_parseRepositorySettings(inputs) {
    const tagMutability = parseTagMutabilitySetting(inputs.tagMutability, inputs.tagMutabilityExclusions);
    const scanOnPush = parseScanOnPush(inputs.scanOnPush);
    const encryption = parseEncryption(inputs.encryption, inputs.kmsKey);
    return {
        ...(tagMutability && { tagMutability }),
        ...(scanOnPush !== undefined && { scanOnPush }),
        ...(encryption && { encryption }),
        tags: parseRepositoryTags(inputs.repositoryTags),
    };
}
function parseTagMutability(text) {
    const canonical = text.trim().toUpperCase().replace(/-/g, '_');
    const found = TAG_MUTABILITIES.find((value) => value === canonical);
    if (!found) {
        throw new InputError('tag-mutability', text.trim(), `use one of ${TAG_MUTABILITIES.join(', ')}`);
    }
    return found;
}
function parseTagMutabilitySetting(mutabilityText, exclusionsText) {
    const filters = [...new Set(parseList(exclusionsText))];
    if (mutabilityText.trim() === '') {
        if (filters.length > 0) {
            throw new InputError('tag-mutability-exclusions', exclusionsText.trim(), 'exclusion filters need tag-mutability IMMUTABLE_WITH_EXCLUSION (filters name the tags that may move) or MUTABLE_WITH_EXCLUSION (filters name the tags that may not)');
        }
        return undefined;
    }
    const mutability = parseTagMutability(mutabilityText);
    if (!hasExclusions(mutability)) {
        if (filters.length > 0) {
            throw new InputError('tag-mutability-exclusions', exclusionsText.trim(), `filters only apply with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION; tag-mutability is ${mutability}, so remove them or change tag-mutability`);
        }
        return { mutability, exclusionFilters: [] };
    }
    if (filters.length === 0) {
        throw new InputError('tag-mutability-exclusions', '', `${mutability} needs 1-${MAX_EXCLUSION_FILTERS} wildcard filters, e.g. 'latest, dev-*'`);
    }
    for (const filter of filters) {
        if (!EXCLUSION_FILTER.test(filter)) {
            throw new InputError('tag-mutability-exclusions', filter, 'a filter is 1-128 characters of letters, digits, . _ - and the wildcard *');
        }
    }
    if (filters.length > MAX_EXCLUSION_FILTERS) {
        throw new InputError('tag-mutability-exclusions', exclusionsText.trim(), `ECR allows at most ${MAX_EXCLUSION_FILTERS} filters, this gives ${filters.length}; merge some with wildcards`);
    }
    return { mutability, exclusionFilters: filters };
}
function parseScanOnPush(text) {
    const value = text.trim().toLowerCase();
    if (value === '')
        return undefined;
    if (value === 'true')
        return true;
    if (value === 'false')
        return false;
    throw new InputError('scan-on-push', text.trim(), 'use true or false');
}
function parseEncryption(typeText, kmsKeyText) {
    const type = typeText.trim().toUpperCase();
    const kmsKey = kmsKeyText.trim();
    if (type === '' && kmsKey === '')
        return undefined;
    if (type === 'KMS')
        return kmsKey === '' ? { type } : { type, kmsKey: parseKmsKey(kmsKey) };
    if (type === 'AES256' || type === '') {
        if (kmsKey !== '') {
            throw new InputError('kms-key', kmsKey, 'a KMS key is used only with encryption: KMS; set encryption to KMS');
        }
        return { type: 'AES256' };
    }
    throw new InputError('encryption', typeText.trim(), 'use AES256 (the default, keys managed by ECR) or KMS (with kms-key, or without it for the AWS managed key aws/ecr)');
}

;// CONCATENATED MODULE: ./src/policies/index.ts
/** Repository settings and policies, parsed and validated before any AWS call. */















;// CONCATENATED MODULE: ./src/aws/errors.ts
/**
 * Turns an AWS SDK failure into one line a user can act on: the cause, where, how many attempts were made,
 * and the fix.
 */

const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'ProviderError']);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired', 'TokenRefreshRequired']);
const BAD_CREDENTIALS = new Set([
    'UnrecognizedClientException',
    'InvalidSignatureException',
    'InvalidClientTokenId',
]);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException']);
const NETWORK = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EPIPE',
    'TimeoutError',
]);
function attemptsText(error, maxAttempts) {
    const attempts = error.$metadata?.attempts;
    return attempts === undefined
        ? `(max-attempts ${maxAttempts})`
        : `after ${attempts} of ${maxAttempts} attempts`;
}
function describeAwsError(error, context) {
    if (error instanceof errors/* ActionError */.lZ)
        return error;
    const sdk = (typeof error === 'object' && error !== null ? error : {});
    const name = sdk.name ?? sdk.code ?? '';
    const message = (0,errors/* messageOf */.bD)(error).split('\n')[0] ?? '';
    const { action, where } = context;
    if (NO_CREDENTIALS.has(name) || /could not load credentials/i.test(message)) {
        return new errors/* NoCredentialsError */.Y6(`No AWS credentials for ${action} in ${where}: add aws-actions/configure-aws-credentials before this step ` +
            `(with OIDC: 'permissions: id-token: write' and 'role-to-assume'), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`, { cause: error });
    }
    if (ACCESS_DENIED.has(name)) {
        return new errors/* ActionError */.lZ(`Access denied: the AWS identity may not call ${action} in ${where} (${message}). ` +
            `Attach this IAM policy to the role: ${context.policyFor(action)}`, { cause: error });
    }
    if (EXPIRED.has(name)) {
        return new errors/* ActionError */.lZ(`The AWS security token has expired (${action} in ${where}): refresh the credentials in the same job ` +
            `(aws-actions/configure-aws-credentials, with a 'role-duration-seconds' that covers the job).`, { cause: error });
    }
    if (BAD_CREDENTIALS.has(name)) {
        return new errors/* ActionError */.lZ(`AWS rejected the credentials for ${action} in ${where} (${name}: ${message}): check the access key, ` +
            `the secret and the session token set by configure-aws-credentials.`, { cause: error });
    }
    const attempts = attemptsText(sdk, context.maxAttempts);
    if (THROTTLED.has(name)) {
        return new errors/* ActionError */.lZ(`AWS throttled ${action} in ${where} ${attempts} (${message}): raise 'max-attempts' or run fewer jobs at once.`, { cause: error });
    }
    if (NETWORK.has(name) || NETWORK.has(sdk.code ?? '')) {
        return new errors/* ActionError */.lZ(`Could not reach the AWS API for ${action} in ${where} ${attempts} (${name}: ${message}): ` +
            `check the network, 'http-proxy' / HTTPS_PROXY and NO_PROXY.`, { cause: error });
    }
    const status = sdk.$metadata?.httpStatusCode;
    return new errors/* ActionError */.lZ(`${action} in ${where} failed ${attempts}: ${name || 'Error'}${status ? ` (HTTP ${status})` : ''}: ${message}`, { cause: error });
}

;// CONCATENATED MODULE: ./src/aws/repository.ts
/**
 * The ECR repository itself: find it, create it when the workflow asks, and bring an existing one's settings
 * in line. Also the plumbing every repository adapter shares: which repository a call is about, and how a
 * failed call becomes one line naming the denied IAM action.
 */




/** The repository, or undefined when it does not exist. */
async function describeRepository(client, target) {
    const response = await ecrCallExpecting(client, target, 'ecr:DescribeRepositories', 'RepositoryNotFoundException', () => client.send(new DescribeRepositoriesCommand({ repositoryNames: [target.name], ...registryIdOf(target) })));
    const found = response?.repositories?.find((repository) => repository.repositoryName === target.name);
    return found && toDescription(found, target);
}
/**
 * Makes sure the repository exists with the settings asked for: creates it (when allowed) or writes only
 * the settings that differ, so a re-run makes no write call.
 */
async function ensureRepository(client, options) {
    const existing = await describeRepository(client, options);
    if (existing)
        return updateRepository(client, options, existing);
    if (!options.create)
        throw missingRepositoryError(options, await regionOf(client));
    const created = await ecrCallExpecting(client, options, 'ecr:CreateRepository', 'RepositoryAlreadyExistsException', () => client.send(new CreateRepositoryCommand(createRepositoryRequest(options.name, options.settings, options.registryId))));
    if (created?.repository) {
        return {
            repository: toDescription(created.repository, options),
            created: true,
            updated: {},
            notices: [],
        };
    }
    // Another job (a matrix leg, a parallel workflow) created it between our describe and create: use it.
    const theirs = await describeRepository(client, options);
    if (!theirs) {
        throw new ActionError(`ECR reported that the repository ${options.name} already exists, yet does not describe it in ${await regionOf(client)}; run the job again.`);
    }
    return updateRepository(client, options, theirs);
}
async function updateRepository(client, options, current) {
    const { notices, ...updated } = planRepositoryUpdate(options.settings, current);
    const { tagMutability, scanOnPush } = updated;
    if (tagMutability) {
        await repository_ecrCall(client, options, 'ecr:PutImageTagMutability', () => client.send(new PutImageTagMutabilityCommand({
            ...repository_repositoryIdOf(options),
            imageTagMutability: tagMutability.mutability,
            ...exclusionFiltersOf(tagMutability),
        })));
    }
    if (scanOnPush !== undefined) {
        await repository_ecrCall(client, options, 'ecr:PutImageScanningConfiguration', () => client.send(new PutImageScanningConfigurationCommand({
            ...repository_repositoryIdOf(options),
            imageScanningConfiguration: { scanOnPush },
        })));
    }
    const repository = {
        ...current,
        ...(tagMutability && { tagMutability }),
        ...(scanOnPush !== undefined && { scanOnPush }),
    };
    return { repository, created: false, updated, notices };
}
function missingRepositoryError(target, region) {
    const registry = target.registryId
        ? `registry ${target.registryId}`
        : 'the registry of the AWS account in use';
    return new ActionError(`The repository ${target.name} does not exist in ${registry} in ${region}: set 'create-repository: true' ` +
        `to let this step create it, or create it before this step.`);
}
function toDescription(repository, target) {
    const { repositoryUri, repositoryArn, registryId } = repository;
    if (!repositoryUri || !repositoryArn || !registryId) {
        throw new ActionError(`ECR described the repository ${target.name} without its URI, ARN or registry ID.`);
    }
    const encryption = repository.encryptionConfiguration;
    return {
        name: repository.repositoryName ?? target.name,
        uri: repositoryUri,
        arn: repositoryArn,
        registryId,
        tagMutability: tagMutabilityOf(repository, target),
        scanOnPush: repository.imageScanningConfiguration?.scanOnPush ?? false,
        // ECR leaves encryptionConfiguration out for repositories made before it had one: those use AES256.
        encryption: {
            type: encryption?.encryptionType ?? 'AES256',
            ...(encryption?.kmsKey !== undefined && { kmsKey: encryption.kmsKey }),
        },
    };
}
function tagMutabilityOf(repository, target) {
    const reported = repository.imageTagMutability ?? 'MUTABLE';
    const mutability = TAG_MUTABILITIES.find((known) => known === reported);
    // Planning tags against a setting we cannot read could move a tag ECR keeps, or skip one it allows.
    if (!mutability) {
        throw new ActionError(`ECR reports the tag mutability ${reported} for the repository ${target.name}, which this version of the action does not know; update the action.`);
    }
    const exclusionFilters = (repository.imageTagMutabilityExclusionFilters ?? []).flatMap(({ filter }) => filter === undefined ? [] : [filter]);
    return { mutability, exclusionFilters };
}
function exclusionFiltersOf(setting) {
    // ECR refuses filters on MUTABLE and IMMUTABLE, so send the field only when there are some.
    if (setting.exclusionFilters.length === 0)
        return {};
    return {
        imageTagMutabilityExclusionFilters: setting.exclusionFilters.map((filter) => ({
            filter,
            filterType: 'WILDCARD',
        })),
    };
}
/** `{ registryId }` when the target names a registry, else nothing (the credentials' own registry). */
function registryIdOf(target) {
    return target.registryId === undefined ? {} : { registryId: target.registryId };
}
/** The repositoryName / registryId pair most repository calls take. */
function repository_repositoryIdOf(target) {
    return { repositoryName: target.name, ...registryIdOf(target) };
}
/** Runs one ECR call about `target`; a failure becomes a one-line ActionError naming `action`. */
async function repository_ecrCall(client, target, action, call) {
    try {
        return await call();
    }
    catch (error) {
        throw await explainEcrError(client, error, action, target);
    }
}
/**
 * Like ecrCall, but the error named `expected` (say LifecyclePolicyNotFoundException: there is none yet)
 * is an answer, undefined, rather than a failure.
 */
async function ecrCallExpecting(client, target, action, expected, call) {
    try {
        return await call();
    }
    catch (error) {
        if (error instanceof Error && error.name === expected)
            return undefined;
        throw await explainEcrError(client, error, action, target);
    }
}
async function explainEcrError(client, error, action, target) {
    // Read back from the client the caller built with clientOptions, so no call needs them passed again.
    const [region, maxAttempts] = await Promise.all([regionOf(client), client.config.maxAttempts()]);
    const registry = target.registryId ? ` of registry ${target.registryId}` : '';
    return describeAwsError(error, {
        action,
        where: `${region} (repository ${target.name}${registry})`,
        maxAttempts,
        policyFor: target.policyFor,
    });
}
async function regionOf(client) {
    return client.config.region();
}

;// CONCATENATED MODULE: ./src/aws/images.ts
/**
 * The images in a repository: what the tag planner needs to know about them (tags, and the config digest
 * that says two manifests hold the same image), and the clean-up of untagged ones.
 */


/** ECR takes at most 100 image IDs in one BatchGetImage or BatchDeleteImage. */
const IMAGE_BATCH_SIZE = 100;
/** The largest page DescribeImages and ListImages give: fewer calls on big repositories. */
const PAGE_SIZE = 1000;
/**
 * Every manifest format ECR stores. Asking for all of them gets each manifest as it was pushed: without an
 * index type in the list ECR may answer an index with one of its platform manifests instead.
 */
const MANIFEST_MEDIA_TYPES = (/* unused pure expression or super */ null && ([
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
]));
/** Every image in the repository with its tags, over all DescribeImages pages. */
async function listImages(client, target) {
    return ecrCall(client, target, 'ecr:DescribeImages', async () => {
        const images = [];
        const pages = paginateDescribeImages({ client, pageSize: PAGE_SIZE, stopOnSameToken: true }, repositoryIdOf(target));
        for await (const page of pages) {
            for (const detail of page.imageDetails ?? []) {
                if (detail.imageDigest)
                    images.push({ digest: detail.imageDigest, tags: detail.imageTags ?? [] });
            }
        }
        return images;
    });
}
/**
 * Manifest digest → the digest of the image config it names. An index (multi-platform) has no config of its
 * own and is left out, as are digests ECR no longer has.
 */
async function configDigests(client, options) {
    const found = new Map();
    for (const batch of batches([...new Set(options.digests)])) {
        const response = await ecrCall(client, options, 'ecr:BatchGetImage', () => client.send(new BatchGetImageCommand({
            ...repositoryIdOf(options),
            imageIds: batch.map((imageDigest) => ({ imageDigest })),
            acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
        })));
        for (const image of response.images ?? []) {
            const digest = image.imageId?.imageDigest;
            const config = configDigestOf(image.imageManifest);
            if (digest !== undefined && config !== undefined)
                found.set(digest, config);
        }
    }
    return found;
}
/** Deletes the repository's untagged images, except those in `keep`, in batches ECR accepts. */
async function deleteUntaggedImages(client, options) {
    const keep = options.keep ?? new Set();
    const found = (await listUntaggedDigests(client, options)).filter((digest) => !keep.has(digest));
    const cleanup = { found, deleted: [], failures: [] };
    if (options.dryRun)
        return cleanup;
    for (const batch of batches(found)) {
        const response = await repository_ecrCall(client, options, 'ecr:BatchDeleteImage', () => client.send(new dist_cjs/* BatchDeleteImageCommand */.wau({
            ...repository_repositoryIdOf(options),
            imageIds: batch.map((imageDigest) => ({ imageDigest })),
        })));
        for (const { imageDigest } of response.imageIds ?? []) {
            if (imageDigest !== undefined)
                cleanup.deleted.push(imageDigest);
        }
        for (const failure of response.failures ?? []) {
            cleanup.failures.push({
                digest: failure.imageId?.imageDigest ?? '(no digest given)',
                reason: [failure.failureCode, failure.failureReason].filter(Boolean).join(': ') || 'no reason given',
            });
        }
    }
    return cleanup;
}
async function listUntaggedDigests(client, target) {
    return repository_ecrCall(client, target, 'ecr:ListImages', async () => {
        const digests = new Set();
        const pages = (0,dist_cjs/* paginateListImages */._Pg)({ client, pageSize: PAGE_SIZE, stopOnSameToken: true }, { ...repository_repositoryIdOf(target), filter: { tagStatus: 'UNTAGGED' } });
        for await (const page of pages) {
            for (const { imageDigest } of page.imageIds ?? []) {
                if (imageDigest !== undefined)
                    digests.add(imageDigest);
            }
        }
        return [...digests];
    });
}
/** The config digest of an image manifest; undefined for an index, or text that is not a manifest. */
function configDigestOf(manifestText) {
    if (manifestText === undefined)
        return undefined;
    let manifest;
    try {
        manifest = JSON.parse(manifestText);
    }
    catch {
        return undefined;
    }
    if (typeof manifest !== 'object' || manifest === null || !('config' in manifest))
        return undefined;
    const { config } = manifest;
    if (typeof config !== 'object' || config === null || !('digest' in config))
        return undefined;
    return typeof config.digest === 'string' ? config.digest : undefined;
}
function batches(items, size = IMAGE_BATCH_SIZE) {
    const result = [];
    for (let start = 0; start < items.length; start += size)
        result.push(items.slice(start, start + size));
    return result;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./src/build/build-inputs.ts
/**
 * The build and push inputs, parsed and validated from their text: pure, so every rule is tested on its
 * own, and every problem is found before any AWS call or docker command.
 */




const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TARGET = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const REMOTE_CONTEXT = /^(https?:\/\/|git@|git:\/\/|github\.com\/)/i;
/** A docker image reference: no option-like start, no white space or control characters. */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;
function parseBooleanText(input, text, fallback) {
    const lowered = text.trim().toLowerCase();
    if (lowered === '')
        return fallback;
    if (lowered === 'true')
        return true;
    if (lowered === 'false')
        return false;
    throw new InputError(input, text, "expected 'true' or 'false'");
}
function oneOf(input, text, values, fallback) {
    const lowered = text.trim().toLowerCase();
    if (lowered === '')
        return fallback;
    const found = values.find((value) => value === lowered);
    if (found === undefined) {
        throw new InputError(input, text, `expected ${values.map((value) => `'${value}'`).join(', ')}`);
    }
    return found;
}
function parseBuildArgs(text) {
    return parseLines(text).map((line) => {
        const equals = line.indexOf('=');
        const name = equals < 0 ? line : line.slice(0, equals);
        if (equals < 0 || !BUILD_ARG_NAME.test(name)) {
            throw new InputError('build-args', line, equals < 0
                ? 'expected NAME=VALUE, one per line (a value the image must not keep goes in secrets)'
                : 'expected NAME=VALUE with a NAME of letters, digits and _, not starting with a digit');
        }
        return [name, line.slice(equals + 1)];
    });
}
/** `NAME=VALUE` per line, or buildx's `id=NAME,src=FILE` / `id=NAME,env=VARIABLE`. */
function parseSecrets(text) {
    const secrets = parseLines(text).map((line) => {
        const raw = /^id=([^,]+),(src|env)=(.+)$/.exec(line);
        if (raw?.[1] && SECRET_ID.test(raw[1]))
            return { raw: line, id: raw[1] };
        const equals = line.indexOf('=');
        const id = line.slice(0, Math.max(equals, 0));
        // `id=...` that is not buildx's form is a typo in it, not a secret named "id".
        if (equals <= 0 || !SECRET_ID.test(id) || /^id=[^,]*,/.test(line)) {
            // The line may hold the secret itself: it is not repeated in the message.
            throw new InputError('secrets', '(a line, not shown)', 'expected NAME=VALUE, id=NAME,src=FILE or id=NAME,env=VARIABLE per line, NAME of letters, digits and . _ -');
        }
        return { id, value: line.slice(equals + 1) };
    });
    const ids = secrets.map((secret) => secret.id);
    const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
    if (repeated !== undefined) {
        throw new InputError('secrets', repeated, 'each secret NAME may appear once');
    }
    return secrets;
}
function parsePlatforms(text) {
    const platforms = parseList(text);
    for (const platform of platforms) {
        if (!PLATFORM.test(platform)) {
            throw new InputError('platforms', platform, 'expected OS/ARCH[/VARIANT] such as linux/amd64, linux/arm64');
        }
    }
    return platforms;
}
function parseCache(text) {
    const lowered = text.trim().toLowerCase();
    if (lowered === '' || lowered === 'false' || lowered === 'none')
        return false;
    if (lowered === 'ecr')
        return true;
    throw new InputError('cache', text, "expected 'ecr' (a BuildKit cache stored in the repository), or empty; use cache-from/cache-to for others");
}
function parseProvenance(text) {
    const trimmed = text.trim();
    if (trimmed === '')
        return 'false';
    const lowered = trimmed.toLowerCase();
    if (lowered === 'false' || lowered === 'true')
        return lowered;
    if (/^[a-z-]+=[^\s]+$/i.test(trimmed))
        return trimmed;
    throw new InputError('provenance', text, "expected 'false' (the default), 'true', 'mode=min' or 'mode=max' (buildx's --provenance)");
}
function parseTarget(text) {
    const target = text.trim();
    if (target === '')
        return undefined;
    if (!TARGET.test(target)) {
        throw new InputError('target', text, 'expected a build stage name: a letter, then letters, digits, _ . -');
    }
    return target;
}
function parseSourceImage(text) {
    const image = text.trim();
    if (image === '')
        return undefined;
    if (!IMAGE_REFERENCE.test(image)) {
        throw new InputError('source-image', text, 'expected a local image reference such as app:ci or an image ID');
    }
    return image;
}
function workspacePath(env, value) {
    return path.resolve(env.GITHUB_WORKSPACE || process.cwd(), value);
}
function resolveContext(text, env) {
    const value = text.trim() || '.';
    if (REMOTE_CONTEXT.test(value))
        return value;
    const dir = workspacePath(env, value);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
        throw new InputError('context', text || '.', `expected a directory; ${dir} is not one`);
    }
    return dir;
}
function resolveFile(text, context, env) {
    const value = text.trim();
    if (value === '') {
        if (!REMOTE_CONTEXT.test(context) && !existsSync(path.join(context, 'Dockerfile'))) {
            throw new InputError('file', '', `there is no Dockerfile in the context ${context}: name the Dockerfile with 'file', or set 'context'`);
        }
        return undefined;
    }
    const file = workspacePath(env, value);
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
        throw new InputError('file', text, `expected a Dockerfile; ${file} is not a file`);
    }
    return file;
}
/** The inputs that only buildx (BuildKit) can honour, with the value each was given. */
function buildxOnlyInputs(inputs) {
    return [
        ...(inputs.platforms.length > 0 ? ['platforms'] : []),
        ...(inputs.cache ? ['cache'] : []),
        ...(inputs.cacheFrom.length > 0 ? ['cache-from'] : []),
        ...(inputs.cacheTo.length > 0 ? ['cache-to'] : []),
        ...(inputs.provenance !== 'false' ? ['provenance'] : []),
        ...(inputs.secrets.length > 0 ? ['secrets'] : []),
    ];
}
function build_inputs_parseBuildInputs(input, env, repository) {
    const build = parseBooleanText('build', input('build'), false);
    const sourceImage = parseSourceImage(input('source-image'));
    if (build && sourceImage !== undefined) {
        throw new InputError('source-image', sourceImage, "set either 'build: true' or 'source-image', not both");
    }
    const mode = build ? 'build' : sourceImage !== undefined ? 'source-image' : 'none';
    if (mode !== 'none' && repository === undefined) {
        throw new InputError('repository', '', `required with ${mode === 'build' ? 'build' : 'source-image'}: name the ECR repository to push to, such as team/app`);
    }
    const context = mode === 'build' ? resolveContext(input('context'), env) : input('context').trim() || '.';
    const inputs = {
        mode,
        ...(sourceImage === undefined ? {} : { sourceImage }),
        context,
        buildArgs: parseBuildArgs(input('build-args')),
        labelBuildArgs: parseBooleanText('label-build-args', input('label-build-args'), true),
        platforms: parsePlatforms(input('platforms')),
        cache: parseCache(input('cache')),
        cacheFrom: parseLines(input('cache-from')),
        cacheTo: parseLines(input('cache-to')),
        provenance: parseProvenance(input('provenance')),
        builder: oneOf('builder', input('builder'), ['auto', 'buildx', 'docker'], 'auto'),
        push: oneOf('push', input('push'), ['auto', 'true', 'false'], 'auto'),
        secrets: parseSecrets(input('secrets')),
    };
    const target = parseTarget(input('target'));
    if (target !== undefined)
        inputs.target = target;
    if (mode === 'build') {
        const file = resolveFile(input('file'), context, env);
        if (file !== undefined)
            inputs.file = file;
    }
    if (mode !== 'build') {
        // Build settings without a build are a mistake the user wants to hear about, not silently ignore.
        const unused = [
            'file',
            'target',
            'build-args',
            'platforms',
            'cache',
            'cache-from',
            'cache-to',
            'secrets',
        ];
        const first = unused.find((name) => !['', 'false', 'none'].includes(input(name).trim().toLowerCase()));
        if (first !== undefined) {
            throw new InputError(first, 
            // A secret's value is not masked yet: it is never repeated.
            first === 'secrets' ? '(not shown)' : input(first), `only used with 'build: true'${mode === 'source-image' ? ' (source-image pushes an image built earlier)' : ''}`);
        }
    }
    return inputs;
}

;// CONCATENATED MODULE: ./src/docker-config/location.ts
/** Creates the directory the docker config goes into, as the `docker-config` input chose it. */



async function prepareConfigDir(choice) {
    if (choice.kind === 'isolated') {
        await fs.mkdir(choice.parent, { recursive: true });
        // mkdtemp makes the directory 0700: other users of a shared runner cannot list or read it.
        return fs.mkdtemp(path.join(choice.parent, 'ecr-push-docker-'));
    }
    try {
        await fs.mkdir(choice.dir, { recursive: true, mode: 0o700 });
    }
    catch (error) {
        // Checked with the inputs already; this is for a file put there since.
        const code = error.code;
        if (code !== 'EEXIST' && code !== 'ENOTDIR')
            throw error;
        throw new ActionError(`The docker config directory ${choice.dir} cannot be created: ${location_whyNotADirectory(choice.dir) ?? code}. ` +
            `Name a directory, or use 'docker-config: isolated'.`, { cause: error });
    }
    return choice.dir;
}
/**
 * Why `dir` cannot hold docker's config.json (it is a file, or under one, or a link to nothing), or
 * undefined: it is a directory, or nothing yet (prepareConfigDir creates it), or cannot be looked at (the
 * error comes when it is used).
 */
function location_whyNotADirectory(dir) {
    let stat;
    try {
        stat = statSync(dir);
    }
    catch (error) {
        const code = error.code;
        if (code === 'ENOTDIR')
            return `${fileAbove(dir)} is a file`;
        if (code === 'ENOENT' && lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) {
            return `${dir} is a symbolic link to a path that does not exist`;
        }
        return undefined;
    }
    if (stat.isDirectory())
        return undefined;
    return `${dir} is ${stat.isFile() ? 'a file' : 'not a directory'}`;
}
/** The nearest ancestor of `dir` that exists and is not a directory (ENOTDIR says there is one). */
function fileAbove(dir) {
    for (let current = path.dirname(dir); current !== path.dirname(current); current = path.dirname(current)) {
        const stat = statSync(current, { throwIfNoEntry: false });
        if (stat && !stat.isDirectory())
            return current;
    }
    return dir;
}
function isWithin(dir, parent) {
    const relative = path.relative(parent, dir);
    return (relative === '' ||
        (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)));
}
/** `dir` with links resolved as far as it exists (the rest of it is created later, as written). */
function resolvedAsFarAsItExists(dir) {
    try {
        return realpathSync(dir);
    }
    catch {
        const parent = path.dirname(dir);
        return parent === dir ? dir : path.join(resolvedAsFarAsItExists(parent), path.basename(dir));
    }
}
/** `dir` is `parent` or below it: as written, or once links are followed. */
function location_isInsideDirectory(dir, parent) {
    const absolute = path.resolve(dir);
    const absoluteParent = path.resolve(parent);
    return (isWithin(absolute, absoluteParent) ||
        isWithin(resolvedAsFarAsItExists(absolute), resolvedAsFarAsItExists(absoluteParent)));
}

;// CONCATENATED MODULE: ./src/labels.ts

const OCI = 'org.opencontainers.image.';
/** Label key → build arg name, in the order both are written. */
const BUILD_ARGS = [
    [`${OCI}created`, 'OCI_CREATED'],
    [`${OCI}revision`, 'OCI_REVISION'],
    [`${OCI}source`, 'OCI_SOURCE'],
    [`${OCI}url`, 'OCI_URL'],
    [`${OCI}version`, 'OCI_VERSION'],
    [`${OCI}title`, 'OCI_TITLE'],
    [`${OCI}description`, 'OCI_DESCRIPTION'],
    [`${OCI}licenses`, 'OCI_LICENSES'],
    [`${OCI}ref.name`, 'OCI_REF_NAME'],
];
const CREATED_ACCEPTED = "expected 'commit' (the commit's time, the default), 'now' (the run's time), an ISO 8601 time such as 2024-05-01T12:00:00Z, or Unix seconds";
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;
function labels_parseCreated(text) {
    const value = text.trim();
    const lowered = value.toLowerCase();
    if (lowered === '' || lowered === 'commit')
        return { kind: 'commit' };
    if (lowered === 'now')
        return { kind: 'now' };
    // Unix seconds, as SOURCE_DATE_EPOCH gives them for reproducible builds.
    const millis = /^\d{1,11}$/.test(value)
        ? Number(value) * 1000
        : ISO_TIME.test(value)
            ? Date.parse(value)
            : NaN;
    if (Number.isNaN(millis))
        throw new InputError('created', text, CREATED_ACCEPTED);
    return { kind: 'fixed', time: new Date(millis).toISOString() };
}
/** Reverse-DNS style keys as Docker recommends; anything else is most likely a typo such as a missing `=`. */
const LABEL_KEY = /^[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
/**
 * The `labels` input: one key=value per line. Lines, not commas, separate labels, because descriptions hold
 * commas. An empty value (`key=`) removes that label, e.g. a licenses label the repository gets wrong.
 */
function labels_parseLabels(text) {
    const labels = new Map();
    for (const rawLine of text.split(/\r?\n/)) {
        const line = rawLine.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        const equals = line.indexOf('=');
        const key = equals < 0 ? line : line.slice(0, equals).trim();
        if (equals < 0 || !LABEL_KEY.test(key)) {
            throw new InputError('labels', line, 'write one key=value per line, such as org.opencontainers.image.vendor=Acme (key=  with no value removes a label)');
        }
        if (labels.has(key))
            throw new InputError('labels', line, `'${key}' is given twice; keep one`);
        labels.set(key, line.slice(equals + 1).trim());
    }
    return labels;
}
/**
 * The OCI labels, unknown facts left out, then the `labels` input applied: it replaces a label in place,
 * adds new ones at the end and removes those it gives an empty value.
 */
function ociLabels(facts) {
    const { context } = facts;
    const labels = new Map();
    const set = (name, value) => {
        // One line each: outputs are key=value lines, and a multi-line description would break them.
        const flat = value?.replace(/\s*[\r\n]+\s*/g, ' ').trim();
        if (flat)
            labels.set(OCI + name, flat);
    };
    set('created', createdTime(facts));
    set('revision', context.sha);
    set('source', context.repositoryUrl);
    set('url', context.repositoryUrl);
    set('version', facts.version);
    set('title', context.repository?.split('/').pop());
    set('description', context.description);
    set('licenses', context.license);
    set('ref.name', facts.primaryTag);
    for (const [key, value] of facts.overrides ?? []) {
        if (value === '')
            labels.delete(key);
        else
            labels.set(key, value);
    }
    return Object.fromEntries(labels);
}
/** With no known commit time (pull requests, dispatch) the run's time stands in. */
function createdTime(facts) {
    switch (facts.created.kind) {
        case 'fixed':
            return facts.created.time;
        case 'now':
            return facts.now.toISOString();
        case 'commit':
            return facts.context.commitTime ?? facts.now.toISOString();
    }
}
/** The OCI_* build args: the final label values (overrides included), for the labels that are set. */
function labels_ociBuildArgs(labels) {
    const args = {};
    for (const [key, arg] of BUILD_ARGS) {
        const value = labels[key];
        if (value !== undefined)
            args[arg] = value;
    }
    return args;
}

;// CONCATENATED MODULE: ./src/metadata.ts
/**
 * The step's metadata outputs, as docker/metadata-action names and shapes them, so a workflow can swap
 * that action for this one and keep its docker/build-push-action step unchanged.
 */


/** ECR's rule for repository names: lower-case path components joined by `/`. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const REPOSITORY_LENGTH = { min: 2, max: 256 };
/** The `repository` input; undefined when empty (outputs are then bare tag names). */
/** A registry hostname or a tag in the name: valid characters, but surely meant for another input. */
const NOT_JUST_A_NAME = /^(?:\d{12}\.dkr[.-]ecr|public\.ecr\.aws\/)|:/;
function metadata_parseRepository(text) {
    const name = text.trim();
    if (name === '')
        return undefined;
    if (NOT_JUST_A_NAME.test(name)) {
        throw new InputError('repository', text, 'give the repository name only, such as team/app: the registry comes from registries, the tag from tags');
    }
    if (name.length < REPOSITORY_LENGTH.min ||
        name.length > REPOSITORY_LENGTH.max ||
        !REPOSITORY_NAME.test(name)) {
        const lowered = name.toLowerCase();
        throw new InputError('repository', text, lowered !== name && REPOSITORY_NAME.test(lowered)
            ? `ECR repository names are lower case: write ${lowered}`
            : `expected ${REPOSITORY_LENGTH.min} to ${REPOSITORY_LENGTH.max} characters of lower-case letters, digits and . _ - between them, path parts joined by /, such as team/app`);
    }
    return name;
}
function metadataOutputs(input) {
    const names = input.tags.map((tag) => tag.name);
    const references = imageReferences(names, input.registries, input.repository);
    const buildArgs = ociBuildArgs(input.labels);
    const json = {
        tags: references,
        labels: input.labels,
        version: input.version ?? '',
        'tag-names': names,
        'build-args': buildArgs,
    };
    return {
        tags: references.join('\n'),
        'tag-names': names.join('\n'),
        labels: keyValueLines(input.labels),
        version: input.version ?? '',
        json: JSON.stringify(json),
        'build-args': keyValueLines(buildArgs),
    };
}
/** `<registry>/<repository>:<tag>`; without registries `<repository>:<tag>`; without a repository the tags. */
function imageReferences(names, registries, repository) {
    if (repository === undefined)
        return names;
    const images = registries.length > 0
        ? registries.map((registry) => `${registry.replace(/\/+$/, '')}/${repository}`)
        : [repository];
    return images.flatMap((image) => names.map((name) => `${image}:${name}`));
}
function keyValueLines(values) {
    return Object.entries(values)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n');
}

;// CONCATENATED MODULE: ./src/plan/on-immutable.ts

/** The `on-immutable` input; empty means `skip`: drop the tag with a notice and push the others. */
function on_immutable_parseOnImmutable(text) {
    const value = text.trim().toLowerCase();
    if (value === '' || value === 'skip')
        return 'skip';
    if (value === 'fail')
        return 'fail';
    throw new InputError('on-immutable', text.trim(), 'use skip (drop moving tags the repository keeps immutable, push the rest) or fail (stop before pushing)');
}

// EXTERNAL MODULE: ./node_modules/semver/index.js
var node_modules_semver = __webpack_require__(2088);
;// CONCATENATED MODULE: ./src/plan/versions.ts

/** Tags in the repository that are plain stable versions (`1.2.3`, `v1.2.3`); pre-releases never count. */
function versions_stableVersions(images) {
    const versions = [];
    for (const tag of images.flatMap((image) => image.tags)) {
        const version = semver.parse(tag);
        if (version && version.prerelease.length === 0)
            versions.push({ tag, version });
    }
    return versions;
}
/** The newest stable release in the repository (`1.3.0`), as decideLatest takes it; undefined when none. */
function highestStableVersion(images) {
    return newest(versions_stableVersions(images))?.version.version;
}
/**
 * Why a forward-only tag must stay where it is, or undefined when it may move. `latest` follows the newest
 * stable release, whatever the `latest` setting, as decideLatest rules; `1` follows the newest 1.x.y and
 * `1.2` the newest 1.2.y, so a 1.2.9 hotfix after 1.3.0 moves `1.2` but neither `1` nor `latest`. Under
 * `latest: auto` a pre-release never takes `latest`; asked for explicitly, it may. A tag without a version
 * is not held back: there is nothing to compare.
 */
function versions_forwardOnlyReason(tag, versions, latestAuto) {
    if ((tag.floating === undefined && tag.kind !== 'latest') || tag.version === undefined)
        return undefined;
    const version = semver.parse(tag.version);
    if (!version)
        return undefined;
    if (version.prerelease.length > 0 && (tag.floating !== undefined || latestAuto)) {
        return `'${tag.name}' is not moved by the pre-release ${version.version}; only stable releases move it.`;
    }
    const peers = versions.filter(({ version: other }) => tag.floating === undefined ||
        (other.major === version.major && (tag.floating === 'major' || other.minor === version.minor)));
    const ahead = newest(peers);
    if (ahead && semver.lt(version, ahead.version)) {
        return `'${tag.name}' stays on ${ahead.tag}: this build is ${version.version}, older than ${ahead.tag} in the repository, and '${tag.name}' only moves forward.`;
    }
    return undefined;
}
function newest(versions) {
    return versions.reduce((best, candidate) => best === undefined || semver.gt(candidate.version, best.version) ? candidate : best, undefined);
}

;// CONCATENATED MODULE: ./src/plan/plan-tags.ts





/**
 * Decides, before anything is pushed, what each wanted tag does in this repository: push, nothing (it
 * already holds this image), or skip with a reason. Throws one ActionError naming every tag that would
 * make ECR refuse the push, so a run never half-pushes.
 */
function planTags(input) {
    const plan = { push: [], unchanged: [], skipped: [] };
    const failures = [];
    const versions = stableVersions(input.images);
    for (const tag of uniqueByName(input.tags)) {
        const heldBack = forwardOnlyReason(tag, versions, input.latestAuto);
        if (heldBack !== undefined) {
            plan.skipped.push({ tag, reason: heldBack });
            continue;
        }
        const holder = input.images.find((image) => image.tags.includes(tag.name));
        const same = holder ? isSameImage(holder, input.image) : undefined;
        if (holder && same === true) {
            plan.unchanged.push({ tag, digest: holder.digest });
            continue;
        }
        if (!isTagImmutable(input.repository, tag.name)) {
            plan.push.push({ tag, ...(holder && { replaces: holder.digest }) });
            continue;
        }
        const why = immutableBecause(input.repository, tag.name);
        if (tag.moving) {
            if (input.onImmutable === 'skip') {
                plan.skipped.push({
                    tag,
                    reason: `'${tag.name}' moves with each build, but ${why}; ${movingFix(input.repository, tag.name)}.`,
                });
            }
            else {
                failures.push(`Tag '${tag.name}' moves with each build, but ${why}. Fix: ${movingFix(input.repository, tag.name)}, or set on-immutable: skip to push without it.`);
            }
            continue;
        }
        if (holder && same === false) {
            failures.push(`Tag '${tag.name}' already holds another image (${shortDigest(holder.digest)}) and ${why}. Fix: release under a new version, or delete the old image first if replacing it is intended.`);
            continue;
        }
        plan.push.push({ tag, ...(holder && { replaces: holder.digest, checkAfterBuild: true }) });
    }
    if (failures.length > 0)
        throw new ActionError(`Nothing was pushed. ${failures.join(' ')}`);
    return plan;
}
/** The first rule wins when two produce the same tag name; one push per name. */
function uniqueByName(tags) {
    const seen = new Set();
    return tags.filter((tag) => !seen.has(tag.name) && seen.add(tag.name));
}
function immutableBecause(setting, tag) {
    if (setting.mutability === 'MUTABLE_WITH_EXCLUSION') {
        const filter = setting.exclusionFilters.find((candidate) => matchesWildcard(candidate, tag)) ?? '';
        return `the repository keeps tags matching '${filter}' immutable (MUTABLE_WITH_EXCLUSION)`;
    }
    if (setting.mutability === 'IMMUTABLE_WITH_EXCLUSION') {
        return `the repository's tags are immutable and no exclusion filter (${setting.exclusionFilters.join(', ')}) matches it (IMMUTABLE_WITH_EXCLUSION)`;
    }
    return "the repository's tags are immutable (IMMUTABLE)";
}
function movingFix(setting, tag) {
    if (setting.mutability === 'MUTABLE_WITH_EXCLUSION') {
        return `remove the filter matching '${tag}' from tag-mutability-exclusions to let it move`;
    }
    if (setting.mutability === 'IMMUTABLE_WITH_EXCLUSION') {
        return `add '${tag}' (or a wildcard matching it) to tag-mutability-exclusions to let it move`;
    }
    return `to let it move, set tag-mutability: IMMUTABLE_WITH_EXCLUSION with tag-mutability-exclusions: ${tag}`;
}

;// CONCATENATED MODULE: ./src/plan/settle.ts


/**
 * Once the image is built, decides the tags the plan had to leave open: an immutable tag that already exists
 * can only be "pushed" if it already holds this very image. `configs` maps the digests those tags hold to
 * their config digests (what BatchGetImage says); `image` is what the build produced.
 *
 * - same image: the tag is unchanged, nothing to push;
 * - another image: the push would be refused, so the step fails before pushing anything;
 * - nothing to compare (the build gave no digest): left as it is, with the reason.
 */
function settleAfterBuild(plan, configs, image) {
    const settled = { push: [], unchanged: [...plan.unchanged], skipped: [...plan.skipped] };
    const failures = [];
    for (const entry of plan.push) {
        if (!entry.checkAfterBuild || entry.replaces === undefined) {
            settled.push.push(entry);
            continue;
        }
        const config = configs.get(entry.replaces);
        const holder = {
            digest: entry.replaces,
            tags: [entry.tag.name],
            ...(config === undefined ? {} : { configDigest: config }),
        };
        const same = sameAsBuilt(holder, image);
        if (same === true) {
            settled.unchanged.push({ tag: entry.tag, digest: entry.replaces });
        }
        else if (same === false) {
            failures.push(`Tag '${entry.tag.name}' is immutable and already holds another image (${shortDigest(entry.replaces)}), ` +
                `not the one just built. Fix: release under a new tag, or delete the old image if replacing it is intended.`);
        }
        else {
            settled.skipped.push({
                tag: entry.tag,
                reason: `'${entry.tag.name}' already exists and is immutable, and the builder gave no digest to compare the new image with: left as it is.`,
            });
        }
    }
    if (failures.length > 0)
        throw new ActionError(`Nothing was pushed. ${failures.join(' ')}`);
    return settled;
}
/**
 * A local image ID is the config digest in docker's classic image store but the manifest digest in the
 * containerd store; a config digest never equals a manifest digest by chance, so both are tried.
 */
function sameAsBuilt(holder, image) {
    if (image.configDigest !== undefined && image.configDigest === holder.digest)
        return true;
    return isSameImage(holder, image);
}

;// CONCATENATED MODULE: ./src/plan/index.ts
/** The tag planner: what each wanted tag does in the repository, decided before anything is pushed. */






;// CONCATENATED MODULE: ./src/tags/latest.ts
/**
 * Whether this build also gets `latest`: one pure decision, so the rule "latest never moves backwards"
 * lives in one place.
 */



const LATEST_ACCEPTED = "expected 'auto' (stable releases only), 'true', 'false', or branch names such as main,master";
/** What git refuses in a branch name (see git check-ref-format), plus white space. */
const NOT_A_BRANCH = /[\s~^:?*[\\]|\.\.|@\{|^[-/.]|[/.]$|\.lock$|\/\//;
function latest_parseLatest(text) {
    const items = parseList(text);
    if (items.length === 0)
        return { kind: 'auto' };
    const single = items.length === 1 ? items[0]?.toLowerCase() : undefined;
    if (single === 'auto')
        return { kind: 'auto' };
    if (single === 'true')
        return { kind: 'always' };
    if (single === 'false')
        return { kind: 'never' };
    for (const item of items) {
        if (['auto', 'true', 'false'].includes(item.toLowerCase()) || NOT_A_BRANCH.test(item)) {
            throw new InputError('latest', text.trim(), LATEST_ACCEPTED);
        }
    }
    return { kind: 'branches', branches: [...new Set(items)] };
}
function describeLatest(setting) {
    return setting.kind === 'branches' ? setting.branches.join(',') : LATEST_WORDS[setting.kind];
}
const LATEST_WORDS = { auto: 'auto', always: 'true', never: 'false' };
/**
 * Decides `latest` for a build of `version` (the release this build is, as semver; undefined when it is
 * none). `highestExisting` is the highest stable version the repository already has under `latest` or a
 * version tag: a build older than it never takes `latest`, whatever the setting, so rebuilding an old
 * release cannot roll users back. An equal version may take it again (a rebuild of the same release).
 */
function decideLatest(setting, context, version, highestExisting) {
    const wanted = wantsLatest(setting, context, version);
    if (!wanted.latest)
        return wanted;
    const ours = version === undefined ? null : semver.parse(version);
    const highest = highestExisting === undefined ? null : semver.parse(highestExisting);
    if (ours && highest && semver.lt(ours, highest)) {
        return {
            latest: false,
            reason: `no latest: ${ours.version} is older than ${highest.version}, which the repository already has`,
        };
    }
    return wanted;
}
function wantsLatest(setting, context, version) {
    switch (setting.kind) {
        case 'never':
            return { latest: false, reason: "no latest: 'latest' is false" };
        case 'always':
            return { latest: true, reason: "latest: 'latest' is true" };
        case 'branches':
            if (context.prNumber !== undefined) {
                return { latest: false, reason: 'no latest: pull request builds never get it' };
            }
            return context.branch !== undefined && setting.branches.includes(context.branch)
                ? {
                    latest: true,
                    reason: `latest: branch ${context.branch} is one of ${setting.branches.join(', ')}`,
                }
                : { latest: false, reason: `no latest: not a build of ${setting.branches.join(', ')}` };
        case 'auto':
            return autoLatest(context, version);
    }
}
function autoLatest(context, version) {
    const parsed = version === undefined ? null : semver.parse(version);
    if (!parsed)
        return { latest: false, reason: 'no latest: this build is not a semver release' };
    if (parsed.prerelease.length > 0) {
        return { latest: false, reason: `no latest: ${parsed.version} is a pre-release` };
    }
    if (context.prNumber !== undefined) {
        return { latest: false, reason: 'no latest: pull request builds never get it' };
    }
    // A version given by value= is resolved on every branch; only a tag or the default branch is a release.
    const fromDefaultBranch = context.branch !== undefined && context.branch === context.defaultBranch;
    if (context.tag === undefined && !fromDefaultBranch) {
        return {
            latest: false,
            reason: `no latest: ${parsed.version} was not built from a git tag or the default branch`,
        };
    }
    return { latest: true, reason: `latest: ${parsed.version} is a stable release` };
}

;// CONCATENATED MODULE: ./src/tags/template.ts
/**
 * `{{name}}` placeholders in tag values, prefixes, suffixes and semver patterns, as docker/metadata-action
 * writes them. Parsing checks every placeholder up front, so a typo fails when the input is read rather
 * than producing an odd tag on the one event that reaches it.
 */
/** Placeholders that take a date format: `{{date 'YYYYMMDD'}}`. */
const DATED = new Set(['date', 'commit_date']);
const DEFAULT_DATE_FORMAT = 'YYYYMMDD';
const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)(?:\s+'([^']*)')?\s*\}\}/g;
/** A parsed template, or the reason it is not one (for the caller to put in its InputError). */
function template_parseTemplate(source, allowed) {
    const segments = [];
    let end = 0;
    for (const match of source.matchAll(PLACEHOLDER)) {
        const [whole, name = '', format] = match;
        const text = source.slice(end, match.index);
        if (text.includes('{{') || text.includes('}}'))
            return unbalanced(text);
        if (text !== '')
            segments.push({ kind: 'text', text });
        end = match.index + whole.length;
        const placeholder = name.toLowerCase();
        if (!allowed.includes(placeholder)) {
            return `'{{${name}}}' is not a placeholder here; use ${allowed.map((known) => `{{${known}}}`).join(', ')}`;
        }
        if (DATED.has(placeholder)) {
            const tokens = parseDateFormat(format ?? DEFAULT_DATE_FORMAT);
            if (typeof tokens === 'string')
                return tokens;
            segments.push({ kind: 'date', name: placeholder, format: tokens });
        }
        else if (format !== undefined) {
            return `{{${placeholder}}} takes no argument ('${format}')`;
        }
        else {
            segments.push({ kind: 'placeholder', name: placeholder });
        }
    }
    const rest = source.slice(end);
    if (rest.includes('{{') || rest.includes('}}'))
        return unbalanced(rest);
    if (rest !== '')
        segments.push({ kind: 'text', text: rest });
    return { source, segments };
}
function unbalanced(text) {
    return `'${text}' has an unmatched '{{' or '}}'; write placeholders as {{name}}, or {{date 'YYYYMMDD'}}`;
}
/**
 * The template's text, or undefined when it names a value this build does not have (`{{branch}}` on a tag
 * push): a tag made of the remaining pieces would be misleading, so the caller makes no tag.
 */
function template_expandTemplate(template, values) {
    let text = '';
    for (const segment of template.segments) {
        if (segment.kind === 'text') {
            text += segment.text;
            continue;
        }
        if (segment.kind === 'date') {
            const date = values.date(segment.name);
            if (date === undefined)
                return undefined;
            text += formatDate(date, segment.format);
            continue;
        }
        const value = values.value(segment.name);
        if (value === undefined)
            return undefined;
        text += value;
    }
    return text;
}
function template_usesPlaceholder(template, names) {
    return template.segments.some((segment) => segment.kind !== 'text' && names.includes(segment.name));
}
const DATE_TOKENS = (/* unused pure expression or super */ null && (['YYYY', 'YY', 'MM', 'DD', 'HH', 'mm', 'ss']));
/**
 * The small, unambiguous subset of moment.js formats that tags need. Other letters are refused rather than
 * copied, since `{{date 'YYYYMMDDThhmm'}}` silently keeping `hh` would give a tag that looks right and
 * is not.
 */
function parseDateFormat(format) {
    const tokens = [];
    let rest = format;
    while (rest !== '') {
        const token = DATE_TOKENS.find((candidate) => rest.startsWith(candidate));
        if (token) {
            tokens.push(token);
            rest = rest.slice(token.length);
            continue;
        }
        const char = rest.charAt(0);
        if (/\p{L}/u.test(char)) {
            return `date format '${format}' has '${char}'; use YYYY, YY, MM, DD, HH, mm, ss and separators such as - . _`;
        }
        tokens.push({ literal: char });
        rest = rest.slice(1);
    }
    return tokens;
}
/** In UTC, so a runner's time zone never changes a tag. */
function formatDate(date, format) {
    const two = (value) => String(value).padStart(2, '0');
    return format
        .map((token) => {
        switch (token) {
            case 'YYYY':
                return String(date.getUTCFullYear()).padStart(4, '0');
            case 'YY':
                return two(date.getUTCFullYear() % 100);
            case 'MM':
                return two(date.getUTCMonth() + 1);
            case 'DD':
                return two(date.getUTCDate());
            case 'HH':
                return two(date.getUTCHours());
            case 'mm':
                return two(date.getUTCMinutes());
            case 'ss':
                return two(date.getUTCSeconds());
            default:
                return token.literal;
        }
    })
        .join('');
}

;// CONCATENATED MODULE: ./src/tags/semver.ts
/**
 * Tags from a semantic version: `{{major}}.{{minor}}` style patterns, with the rules users rely on to keep
 * floating tags honest.
 *
 * Build metadata: `+` is not allowed in a tag, and turning it into `-` would make `1.2.3+build.5` read as
 * the pre-release `1.2.3-build.5` (which sorts before 1.2.3). Helm's OCI convention writes it as `_`
 * instead, so `{{version}}` gives `1.2.3_build.5`. Build metadata does not change precedence, so such a
 * version is still a stable release and gets floating tags and `latest`.
 */


const semver_SEMVER_PLACEHOLDERS = (/* unused pure expression or super */ null && (['major', 'minor', 'patch', 'version', 'raw']));
/**
 * The version in `text` (a git tag or a `value=`): all of it, or with `match` the first group of the first
 * match (the whole match when the regex has no group). A leading `v` or `V` is accepted; anything that is
 * not a full MAJOR.MINOR.PATCH version gives undefined, so such a build simply gets no semver tags.
 */
function findVersion(text, match) {
    let raw = text.trim();
    if (match) {
        const found = match.exec(raw);
        if (!found)
            return undefined;
        raw = (found[1] ?? found[0]).trim();
    }
    const parsed = semver.parse(raw.replace(/^[vV]/, ''));
    return parsed ? { parsed, raw } : undefined;
}
function isStable(version) {
    return version.prerelease.length === 0;
}
/** The full version with its build metadata, as semver writes it: `1.2.3+build.5`. */
function fullVersion(version) {
    return version.build.length > 0 ? `${version.version}+${version.build.join('.')}` : version.version;
}
/** The full version as tag text: `1.2.3`, `1.2.3-rc.1`, `1.2.3_build.5`. */
function versionTagText(version) {
    return version.build.length > 0 ? `${version.version}_${version.build.join('.')}` : version.version;
}
const EXACT_PATTERN = {
    source: '{{version}}',
    segments: [{ kind: 'placeholder', name: 'version' }],
};
/**
 * The tag `pattern` gives for `found`, or undefined when it gives none. A pre-release gets only its exact
 * version, whatever the pattern: `{{major}}.{{minor}}` must not point at a release candidate. A 0.x
 * version gives no `{{major}}`-only tag: `0` would claim the whole unstable 0.x line is one compatible
 * series, which semver says it is not; `{{major}}.{{minor}}` (`0.4`) is still made.
 */
function semverTag(pattern, found) {
    const version = found.parsed;
    const effective = isStable(version) || usesPlaceholder(pattern, ['version', 'raw']) ? pattern : EXACT_PATTERN;
    const floating = floatingPart(pattern, version);
    if (floating === 'major' && version.major === 0)
        return undefined;
    const value = expandTemplate(effective, {
        value: (name) => {
            switch (name) {
                case 'major':
                    return String(version.major);
                case 'minor':
                    return String(version.minor);
                case 'patch':
                    return String(version.patch);
                case 'version':
                    return versionTagText(version);
                default:
                    return found.raw.replace(/\+/g, '_');
            }
        },
        date: () => undefined,
    });
    if (value === undefined)
        return undefined;
    return floating ? { value, floating } : { value };
}
/** A stable version's pattern without {{patch}}, {{version}} or {{raw}} names a whole line of releases. */
function floatingPart(pattern, version) {
    if (!isStable(version) || usesPlaceholder(pattern, ['patch', 'version', 'raw']))
        return undefined;
    return usesPlaceholder(pattern, ['minor']) ? 'minor' : 'major';
}

;// CONCATENATED MODULE: ./src/tags/rules.ts
/**
 * The `tags` input: one rule per line, comma-separated key=value attributes (CSV quoting), as
 * docker/metadata-action writes them. Everything is checked here, so a typo fails before any AWS call with
 * one line naming the rule and the fix.
 */





/** What an empty `tags` input means: the commit, and the branch or git tag it was built for. */
const DEFAULT_TAG_RULES = 'type=sha\ntype=branch\ntype=tag';
/** Placeholders in raw values, prefixes and suffixes. */
const TAG_PLACEHOLDERS = (/* unused pure expression or super */ null && ([
    'branch',
    'tag',
    'sha',
    'base_ref',
    'run_number',
    'date',
    'commit_date',
]));
const COMMON_KEYS = (/* unused pure expression or super */ null && (['type', 'enable', 'prefix', 'suffix']));
const KEYS_BY_TYPE = {
    sha: ['length', 'format'],
    branch: [],
    tag: [],
    pr: [],
    semver: ['pattern', 'value', 'match'],
    upstream: ['version', 'revision', 'floating'],
    raw: ['value'],
};
const RULE_TYPES = Object.keys(KEYS_BY_TYPE);
const DEFAULT_PREFIX = { sha: 'sha-', pr: 'pr-' };
const SHA_LENGTH = { min: 4, max: 64, default: 7 };
function rules_parseTagRules(text) {
    const rules = rules_parseLines(text);
    return rules.length > 0 ? rules : rules_parseLines(DEFAULT_TAG_RULES);
}
function rules_parseLines(text) {
    // Line by line rather than one CSV parse, to keep each rule's own text for its messages.
    return text.split(/\r?\n/).flatMap((line) => parseRows(line).map((items) => parseRule(line.trim(), items)));
}
function parseRule(line, items) {
    const fail = (problem) => {
        throw new InputError('tags', line, problem);
    };
    const attributes = new Map();
    for (const item of items) {
        const equals = item.indexOf('=');
        if (equals <= 0) {
            fail(`'${item}' is not key=value; start each line with type=... (for a fixed tag: type=raw,value=${item})`);
        }
        const key = item.slice(0, equals).trim().toLowerCase();
        if (attributes.has(key))
            fail(`'${key}' is given twice; keep one`);
        attributes.set(key, item.slice(equals + 1).trim());
    }
    const type = parseType(attributes.get('type'), fail);
    const known = [...COMMON_KEYS, ...KEYS_BY_TYPE[type]];
    for (const key of attributes.keys()) {
        if (!known.includes(key))
            fail(`type=${type} takes ${known.slice(1).join(', ')}, not '${key}'`);
    }
    const template = (key, fallback) => {
        const value = attributes.get(key) ?? fallback;
        const parsed = parseTemplate(value, TAG_PLACEHOLDERS);
        return typeof parsed === 'string' ? fail(`${key}: ${parsed}`) : parsed;
    };
    const base = {
        line,
        enable: parseEnable(attributes.get('enable'), fail),
        prefix: template('prefix', DEFAULT_PREFIX[type] ?? ''),
        suffix: template('suffix', ''),
    };
    switch (type) {
        case 'sha':
            return { ...base, type, length: parseShaLength(attributes, fail) };
        case 'branch':
        case 'tag':
        case 'pr':
            return { ...base, type };
        case 'semver':
            return parseSemverRule(base, attributes, fail);
        case 'upstream':
            return parseUpstreamRule(base, attributes, fail);
        case 'raw': {
            if (!attributes.get('value'))
                fail('type=raw needs value=, such as value=edge or value={{branch}}-{{sha}}');
            return { ...base, type, value: template('value', '') };
        }
    }
}
function parseType(value, fail) {
    if (value === undefined)
        fail('each rule needs a type=, such as type=sha or type=semver,pattern={{version}}');
    const type = value.toLowerCase();
    if (type === 'ref') {
        fail("type=ref,event=... is docker/metadata-action's spelling; write type=branch, type=tag or type=pr");
    }
    if (!RULE_TYPES.includes(type))
        fail(`the type is one of ${RULE_TYPES.join(', ')}`);
    return type;
}
function parseEnable(value, fail) {
    switch (value?.replace(/\s+/g, '').toLowerCase()) {
        case undefined:
        case 'true':
            return true;
        case 'false':
            return false;
        case '{{is_default_branch}}':
            return 'default-branch';
        case '{{is_not_default_branch}}':
            return 'not-default-branch';
        default:
            return fail('enable= takes true, false, {{is_default_branch}} or {{is_not_default_branch}}');
    }
}
function parseShaLength(attributes, fail) {
    const format = attributes.get('format')?.toLowerCase();
    const length = attributes.get('length');
    if (format !== undefined && format !== 'short' && format !== 'long') {
        fail('format= takes short (length= characters, 7 by default) or long (the full commit id)');
    }
    if (format === 'long') {
        if (length !== undefined)
            fail('format=long is the full commit id; drop length= or format=long');
        return 'full';
    }
    if (length === undefined)
        return SHA_LENGTH.default;
    const parsed = Number(length);
    if (!/^\d+$/.test(length) || parsed < SHA_LENGTH.min || parsed > SHA_LENGTH.max) {
        fail(`length= takes a whole number from ${SHA_LENGTH.min} to ${SHA_LENGTH.max} (7 by default)`);
    }
    return parsed;
}
function parseSemverRule(base, attributes, fail) {
    const pattern = parseTemplate(attributes.get('pattern') ?? '{{version}}', SEMVER_PLACEHOLDERS);
    if (typeof pattern === 'string')
        fail(`pattern: ${pattern}`);
    if (!pattern.segments.some((segment) => segment.kind !== 'text')) {
        fail('pattern= needs a placeholder: {{version}}, {{major}}.{{minor}}, {{major}} or {{raw}}');
    }
    const rule = { ...base, type: 'semver', pattern };
    // An empty value= (an unset expression) falls back to the git tag, as docker/metadata-action does.
    const value = attributes.get('value');
    if (value)
        rule.value = value;
    const match = attributes.get('match');
    if (match !== undefined)
        rule.match = parseMatch(match, fail);
    return rule;
}
function parseMatch(source, fail) {
    if (source === '')
        fail('match= is empty; give a regex whose first group is the version, such as v(.*)');
    try {
        return new RegExp(source);
    }
    catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return fail(`match= is not a valid regex (${reason}); escape special characters, e.g. release-(\\d+\\.\\d+\\.\\d+)`);
    }
}
function parseUpstreamRule(base, attributes, fail) {
    const versionText = attributes.get('version');
    if (!versionText)
        fail('type=upstream needs version=, such as version=8.0.12,revision=c15');
    const version = parseUpstreamVersion(versionText);
    if (typeof version === 'string')
        fail(version);
    const rule = { ...base, type: 'upstream', version, floating: false };
    const revision = attributes.get('revision');
    if (revision !== undefined) {
        const problem = revision === '' ? 'revision= is empty; drop it or give one, such as c15' : checkRevision(revision);
        if (problem)
            fail(problem);
        rule.revision = revision;
    }
    const floating = attributes.get('floating')?.toLowerCase();
    if (floating !== undefined && floating !== 'true' && floating !== 'false') {
        fail('floating= takes true (also tag MAJOR.MINOR and MAJOR) or false');
    }
    rule.floating = floating === 'true';
    return rule;
}

;// CONCATENATED MODULE: ./src/inputs.ts
/**
 * The one place that reads the action's inputs (and the environment variables that stand in for them).
 * Everything is validated here, before any AWS call or file write, so a typo fails in one line that
 * names the input, the value and what is accepted.
 */















const BOOLEAN_ACCEPTED = "expected 'true' or 'false'";
function parseBoolean(input, value) {
    const lowered = value.trim().toLowerCase();
    if (lowered === 'true')
        return true;
    if (lowered === 'false')
        return false;
    throw new InputError(input, value, BOOLEAN_ACCEPTED);
}
function parseIntegerInRange(input, value, min, max) {
    const trimmed = value.trim();
    const parsed = Number(trimmed);
    if (!/^\d+$/.test(trimmed) || parsed < min || parsed > max) {
        throw new InputError(input, value, `expected a whole number from ${min} to ${max}`);
    }
    return parsed;
}
function parseRegistryType(value) {
    const lowered = value.trim().toLowerCase();
    if (lowered === '' || lowered === 'private')
        return 'private';
    if (lowered === 'public')
        return 'public';
    throw new InputError('registry-type', value, "expected 'private' (Amazon ECR) or 'public' (Amazon ECR Public)");
}
/** `region` input, else AWS_REGION, else AWS_DEFAULT_REGION: the order configure-aws-credentials sets. */
function resolveRegion(value, env) {
    const candidates = [
        ['region', value.trim()],
        ['AWS_REGION', env.AWS_REGION?.trim()],
        ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION?.trim()],
    ];
    for (const [source, region] of candidates) {
        if (!region)
            continue;
        if (!isRegion(region)) {
            throw new InputError(source, region, 'expected an AWS region such as eu-west-1');
        }
        return { region, source };
    }
    return { source: 'none' };
}
const NO_REGION = "no AWS region: set the 'region' input, or 'aws-region' on aws-actions/configure-aws-credentials (which sets AWS_REGION)";
function parseRegistries(value, region) {
    const items = parseList(value);
    if (items.length === 0) {
        // The caller's own registry: its account comes from the credentials, its region from here.
        if (!region)
            throw new InputError('region', '', NO_REGION);
        return [{ region, fips: false, dualStack: false }];
    }
    return items.map((item) => {
        const spec = parseRegistry(item, region);
        if (typeof spec === 'string')
            throw new InputError('registries', item, spec);
        return spec;
    });
}
function parseDockerConfig(value, env) {
    const trimmed = value.trim();
    const keyword = trimmed.toLowerCase();
    if (keyword === 'isolated') {
        return { kind: 'isolated', parent: env.RUNNER_TEMP || os.tmpdir() };
    }
    let choice;
    // What named the directory, for the error: the input, or the variable that stands in for it.
    let source = ['docker-config', value];
    if (keyword === '' || keyword === 'default') {
        choice = { kind: 'default', dir: env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker') };
        if (env.DOCKER_CONFIG)
            source = ['DOCKER_CONFIG', env.DOCKER_CONFIG];
    }
    else {
        if (trimmed.includes('\0') || /[\r\n]/.test(trimmed)) {
            throw new InputError('docker-config', value, "expected 'default', 'isolated' or a directory path");
        }
        choice = { kind: 'path', dir: path.resolve(env.GITHUB_WORKSPACE || process.cwd(), trimmed) };
    }
    const problem = whyNotADirectory(choice.dir);
    if (problem) {
        throw new InputError(...source, `expected a directory, but ${problem}: name the directory docker's config.json goes in, or use 'isolated'`);
    }
    if (env.GITHUB_WORKSPACE && isInsideDirectory(choice.dir, env.GITHUB_WORKSPACE)) {
        core.warning(`docker-config: ${choice.dir} is inside the workspace (GITHUB_WORKSPACE)` +
            `${source[0] === 'DOCKER_CONFIG' ? ', named by DOCKER_CONFIG' : ''}: the credentials written there can ` +
            `end up in the context of a 'docker build .' or in an uploaded artifact. ` +
            `Use 'docker-config: isolated', or a directory outside the checkout.`);
    }
    return choice;
}
/** A proxy URL, as the input or a *_PROXY variable gives it; `host:port` alone means http. */
function parseProxy(source, value) {
    const trimmed = value.trim();
    if (trimmed === '')
        return undefined;
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
    let url;
    try {
        url = new URL(withScheme);
    }
    catch {
        throw new errors/* InputError */.dz(source, redactUrlText(trimmed), 'expected a proxy URL such as http://proxy.example:3128');
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
        throw new errors/* InputError */.dz(source, redactUrlText(trimmed), 'expected an http:// or https:// proxy URL such as http://proxy.example:3128');
    }
    return url;
}
/**
 * Hides `user:password@` in a URL-like text that may not parse, so an error never prints a password: all of
 * it up to the last `@` (a password may hold `@` or `/`), with or without a scheme.
 */
function redactUrlText(text) {
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[\s\S]*@/i, '$1***@');
}
function resolveProxy(value, env) {
    if (value.trim() !== '')
        return parseProxy('http-proxy', value);
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
        const fromEnv = env[name];
        if (fromEnv?.trim())
            return parseProxy(name, fromEnv);
    }
    return undefined;
}
function parseCleanup(value) {
    const lowered = value.trim().toLowerCase();
    if (lowered === '' || lowered === 'false' || lowered === 'none')
        return false;
    if (lowered === 'untagged')
        return true;
    throw new InputError('cleanup', value, "expected 'untagged' (delete images left without a tag) or empty");
}
/** Policy files are named relative to the workspace, as every other path in a workflow. */
function workspaceReader(env) {
    return (file) => readFileSync(path.resolve(env.GITHUB_WORKSPACE || process.cwd(), file), 'utf8');
}
const REPOSITORY_INPUTS = (/* unused pure expression or super */ null && ([
    'create-repository',
    'tag-mutability',
    'tag-mutability-exclusions',
    'scan-on-push',
    'encryption',
    'kms-key',
    'repository-tags',
    'lifecycle-policy',
    'repository-policy',
    'cleanup',
]));
function parseRepositoryInputs(input, env, repository, registryType, region) {
    const used = REPOSITORY_INPUTS.filter((name) => {
        const value = input(name).trim().toLowerCase();
        return value !== '' && value !== 'false';
    });
    if (used.length > 0 && repository === undefined) {
        throw new InputError('repository', '', `required with ${used.join(', ')}: name the ECR repository, such as team/app`);
    }
    if (used.length > 0 && registryType === 'public') {
        throw new InputError('registry-type', 'public', `${used.join(', ')} ${used.length === 1 ? 'manages' : 'manage'} private repositories: use registry-type private`);
    }
    const readFile = workspaceReader(env);
    const lifecyclePolicy = resolveLifecyclePolicy(input('lifecycle-policy'), readFile);
    const repositoryPolicy = resolveRepositoryPolicy(input('repository-policy'), readFile, region ?? 'us-east-1');
    return {
        create: parseBoolean('create-repository', input('create-repository') || 'false'),
        settings: parseRepositorySettings({
            tagMutability: input('tag-mutability'),
            tagMutabilityExclusions: input('tag-mutability-exclusions'),
            scanOnPush: input('scan-on-push'),
            encryption: input('encryption'),
            kmsKey: input('kms-key'),
            repositoryTags: input('repository-tags'),
        }),
        ...(lifecyclePolicy ? { lifecyclePolicy } : {}),
        ...(repositoryPolicy ? { repositoryPolicy } : {}),
        onImmutable: parseOnImmutable(input('on-immutable')),
        cleanup: parseCleanup(input('cleanup')),
        cleanupDryRun: parseBoolean('cleanup-dry-run', input('cleanup-dry-run') || 'false'),
    };
}
function getInputs(env = process.env) {
    const input = (name) => core.getInput(name);
    const registryType = parseRegistryType(input('registry-type'));
    const { region } = resolveRegion(input('region'), env);
    const registriesText = input('registries');
    let registries = [];
    if (registryType === 'private') {
        registries = parseRegistries(registriesText, region);
    }
    else if (registriesText.trim() !== '') {
        core.warning(`'registries' is ignored with registry-type 'public': ECR Public has one registry, public.ecr.aws.`);
    }
    const repository = parseRepository(input('repository'));
    const build = parseBuildInputs(input, env, repository);
    // Masked before anything can print them; they reach the build only through 0600 files.
    for (const secret of build.secrets)
        if ('value' in secret && secret.value !== '')
            core.setSecret(secret.value);
    return {
        metadata: getMetadataInputs(),
        repository: parseRepositoryInputs(input, env, repository, registryType, region ?? registries[0]?.region),
        build,
        registryType,
        registries,
        dockerConfig: parseDockerConfig(input('docker-config'), env),
        maskPassword: parseBoolean('mask-password', input('mask-password') || 'true'),
        skipLogout: parseBoolean('skip-logout', input('skip-logout') || 'false'),
        proxy: resolveProxy(input('http-proxy'), env),
        maxAttempts: parseIntegerInRange('max-attempts', input('max-attempts') || '5', 1, 20),
    };
}
/** What the image is called and labelled: all a dry run of the tags needs (no region, no registry). */
function getMetadataInputs() {
    const input = (name) => core.getInput(name);
    return {
        repository: parseRepository(input('repository')),
        tagRules: parseTagRules(input('tags')),
        latest: parseLatest(input('latest')),
        labelOverrides: parseLabels(input('labels')),
        created: parseCreated(input('created')),
    };
}
/** The proxy alone, for the post step's clean-up calls (the runner gives the post step the same inputs). */
function getProxySetting(env = process.env) {
    return resolveProxy(lib_core/* getInput */.V4('http-proxy'), env);
}

;// CONCATENATED MODULE: ./src/cleanup-step.ts
/**
 * `cleanup: untagged`, run by the post step: by then the job's pushes (this action's or a later docker push)
 * are done, so the images they left without a tag can go.
 */




async function cleanUntagged(state) {
    const proxy = getProxySetting();
    for (const target of state.targets) {
        const client = ecrClientFor(target.region, target.fips, { maxAttempts: state.maxAttempts, ...(proxy ? { proxy } : {}) }, process.env);
        try {
            const result = await deleteUntaggedImages(client, {
                name: target.name,
                ...(target.registryId ? { registryId: target.registryId } : {}),
                policyFor: () => state.policy,
                dryRun: state.dryRun,
            });
            const where = `${target.host}/${target.name}`;
            if (state.dryRun) {
                lib_core/* info */.pq(`${where}: cleanup-dry-run: ${result.found.length} untagged image(s) would be deleted.`);
                for (const digest of result.found)
                    lib_core/* info */.pq(`  ${digest}`);
            }
            else {
                lib_core/* info */.pq(`${where}: deleted ${result.deleted.length} of ${result.found.length} untagged image(s).`);
            }
            for (const failure of result.failures)
                lib_core/* warning */.$e(`${where}: kept ${failure.digest}: ${failure.reason}`);
        }
        finally {
            client.destroy();
        }
    }
}


/***/ })

};

//# sourceMappingURL=319.index.js.map