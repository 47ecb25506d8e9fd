export const id = 121;
export const ids = [121];
export const modules = {

/***/ 2121:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  cleanUntagged: () => (/* binding */ cleanUntagged)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 10 modules
var core = __webpack_require__(9469);
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

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/shared/errors.ts
var errors = __webpack_require__(8382);
;// CONCATENATED MODULE: ./src/registry/manifests.ts
/**
 * Manifests as values: the image index a merge writes, the platform of an image, the blobs a copy needs,
 * the `merge-digests` list and registry references. Pure.
 */


const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const INDEX_TYPES = [OCI_INDEX, 'application/vnd.docker.distribution.manifest.list.v2+json'];
/**
 * Every manifest form a registry (and ECR) may hold. Asking for all of them gets each manifest as it was
 * pushed: without an index type in the list, a registry may answer an index with one of its platforms.
 */
const manifests_MANIFEST_TYPES = [
    OCI_INDEX,
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
];
const DIGEST = /^sha256:[0-9a-f]{64}$/;
function isIndex(mediaType) {
    return INDEX_TYPES.includes(mediaType);
}
function platformText(platform) {
    return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
/** The platform an image config names (`os`, `architecture`, `variant`). */
function platformOfConfig(config) {
    let parsed;
    try {
        parsed = JSON.parse(config.toString('utf8'));
    }
    catch {
        return undefined;
    }
    const { os, architecture, variant } = parsed;
    if (typeof os !== 'string' || typeof architecture !== 'string')
        return undefined;
    return { os, architecture, ...(typeof variant === 'string' && variant !== '' ? { variant } : {}) };
}
function digestOf(bytes) {
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
/** A manifest's JSON as a record; {} for text that is not a JSON object (or no text). */
function parseManifest(manifest) {
    if (manifest === undefined)
        return {};
    try {
        const parsed = JSON.parse(manifest.toString('utf8'));
        return typeof parsed === 'object' && parsed !== null ? parsed : {};
    }
    catch {
        return {};
    }
}
/** An index's entries, as it lists them. */
function indexEntries(manifest) {
    const manifests = parseManifest(manifest.bytes).manifests;
    return Array.isArray(manifests) ? manifests : [];
}
/** BuildKit lists an attestation manifest as platform unknown/unknown: not an image anyone runs. */
function isAttestation(entry) {
    return (entry.platform?.os === 'unknown' ||
        entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
}
/** The media type a manifest names itself (for a registry or API answer that gives none). */
function manifests_mediaTypeIn(manifest) {
    const { mediaType } = parseManifest(manifest);
    return typeof mediaType === 'string' ? mediaType : undefined;
}
/** The config and layer digests of an image manifest: what a copy into another repository needs. */
function blobsOf(manifest) {
    const parsed = parseManifest(manifest.bytes);
    const config = parsed.config?.digest;
    const layers = Array.isArray(parsed.layers) ? parsed.layers : [];
    return [config, ...layers.map((layer) => layer.digest)].filter((digest) => typeof digest === 'string' && DIGEST.test(digest));
}
/** The config digest of an image manifest; undefined for an index, or text that is not a manifest. */
function manifests_configDigestOf(manifest) {
    const digest = parseManifest(manifest).config?.digest;
    return typeof digest === 'string' && DIGEST.test(digest) ? digest : undefined;
}
/**
 * The image index over `children`, in a fixed order (by platform, then digest) so the same children
 * always give the same bytes and digest, whichever job finished first: a re-run into an immutable tag
 * is then the same image.
 */
function imageIndex(children, annotations) {
    const key = (entry) => `${entry.platform ? platformText(entry.platform) : '~'} ${entry.digest}`;
    const manifests = [...children].sort((a, b) => key(a).localeCompare(key(b)));
    const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(index));
    return {
        mediaType: OCI_INDEX,
        digest: digestOf(bytes),
        bytes,
    };
}
function entryOf(value, where) {
    if (typeof value === 'string') {
        if (!DIGEST.test(value.trim()))
            throw new InputError('merge-digests', where, 'expected sha256:<64 hex digits>');
        return { digest: value.trim() };
    }
    const record = (typeof value === 'object' && value !== null ? value : {});
    const digest = typeof record.digest === 'string' ? record.digest : '';
    if (!DIGEST.test(digest)) {
        throw new InputError('merge-digests', where, 'expected {"digest": "sha256:…", "platform": "os/arch"} entries');
    }
    return { digest, ...(typeof record.platform === 'string' ? { platform: record.platform } : {}) };
}
/**
 * `merge-digests`: `sha256:` digests (commas or lines), or the `digests` JSON of several push-by-digest
 * jobs (one array, or one array per line). Duplicates collapse; an empty list is an error.
 */
function parseMergeDigests(text) {
    const trimmed = text.trim();
    if (trimmed === '')
        return [];
    const entries = [];
    const add = (entry) => {
        if (!entries.some((known) => known.digest === entry.digest))
            entries.push(entry);
    };
    const parseJson = (piece) => {
        try {
            const parsed = JSON.parse(piece);
            for (const value of Array.isArray(parsed) ? parsed : [parsed])
                add(entryOf(value, piece));
            return true;
        }
        catch (error) {
            if (error instanceof InputError)
                throw error;
            return false;
        }
    };
    if ((trimmed.startsWith('[') || trimmed.startsWith('{')) && parseJson(trimmed))
        return entries;
    for (const line of trimmed
        .split('\n')
        .map((text) => text.trim())
        .filter(Boolean)) {
        if (line.startsWith('[') || line.startsWith('{')) {
            if (!parseJson(line))
                throw new InputError('merge-digests', line, 'this line is not valid JSON');
            continue;
        }
        for (const piece of line
            .split(',')
            .map((text) => text.trim())
            .filter(Boolean))
            add(entryOf(piece, piece));
    }
    return entries;
}
/**
 * `host/repository:tag` or `host/repository@sha256:…`, where the first part is a registry host (it has a
 * dot or a port, or is localhost). Undefined for a local image name such as `app:ci`.
 */
function parseRegistryReference(text) {
    const slash = text.indexOf('/');
    if (slash <= 0)
        return undefined;
    const host = text.slice(0, slash);
    if (!/[.:]/.test(host) && host !== 'localhost')
        return undefined;
    const rest = text.slice(slash + 1);
    const at = rest.indexOf('@');
    if (at >= 0) {
        const digest = rest.slice(at + 1);
        const repository = rest.slice(0, at).replace(/:[^/]*$/, '');
        return DIGEST.test(digest) && repository !== '' ? { host, repository, reference: digest } : undefined;
    }
    const colon = rest.lastIndexOf(':');
    if (colon <= 0 || rest.slice(colon).includes('/'))
        return { host, repository: rest, reference: 'latest' };
    return { host, repository: rest.slice(0, colon), reference: rest.slice(colon + 1) };
}

;// CONCATENATED MODULE: ./src/repository/cleanup-plan.ts
/**
 * Which untagged images `cleanup: untagged` may delete: pure. An untagged image is not always clutter:
 * the platform manifests of a multi-platform index are untagged, and so are the signatures, SBOMs and
 * attestations that point at an image through their `subject` (OCI 1.1 referrers). Deleting those breaks
 * the index or loses the proof. So everything reachable from a tagged image is kept, and only the rest
 * goes: untagged images nothing kept refers to, and referrers whose subject is itself going (or gone).
 */

function planCleanup(images) {
    const byDigest = new Map(images.map((image) => [image.digest, image]));
    const kept = new Set(images.filter((image) => image.tags.length > 0).map((image) => image.digest));
    const keptChildren = new Set();
    const keptReferrers = new Set();
    // Until nothing changes: a kept index keeps its children, a kept image its referrers (a signed
    // attestation index keeps its own children and signatures too). Bounded by the number of images.
    for (let changed = true, rounds = 0; changed && rounds <= images.length; rounds += 1) {
        changed = false;
        for (const image of images) {
            if (kept.has(image.digest)) {
                for (const child of image.children) {
                    if (!kept.has(child) && byDigest.has(child)) {
                        kept.add(child);
                        keptChildren.add(child);
                        changed = true;
                    }
                }
            }
            else if (image.subject !== undefined && kept.has(image.subject)) {
                kept.add(image.digest);
                keptReferrers.add(image.digest);
                changed = true;
            }
        }
    }
    const remove = images.filter((image) => !kept.has(image.digest)).map((image) => image.digest);
    return {
        remove,
        keptChildren: [...keptChildren],
        keptReferrers: [...keptReferrers],
        orphanedReferrers: remove.filter((digest) => byDigest.get(digest)?.subject !== undefined),
    };
}
/** An index's children and a referrer's subject, read from its manifest text. */
function manifestLinks(manifestText) {
    const parsed = parseManifest(manifestText);
    const manifests = Array.isArray(parsed.manifests) ? parsed.manifests : [];
    const children = manifests
        .map((entry) => entry.digest)
        .filter((digest) => typeof digest === 'string');
    const subject = parsed.subject?.digest;
    return { children, ...(typeof subject === 'string' ? { subject } : {}) };
}

;// CONCATENATED MODULE: ./src/repository/policies/kms-key.ts
/** The `kms-key` input: a key ARN, key ID, alias or alias ARN, told apart for the IAM policy. Pure. */

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
;// CONCATENATED MODULE: ./src/shared/lists.ts
/** List inputs split as docker/metadata-action splits them (csv-parse underneath). Pure. */

/**
 * Splits a list input as docker/metadata-action does: items separated by commas or newlines, quoted with
 * `"` when an item itself holds a comma. Blank items and surrounding white space are dropped; lines
 * starting with `#` are comments.
 */
function lists_parseList(text) {
    return parseRows(text).flat();
}
/** One row per line, each split on commas (CSV quoting); blank lines and `#` comments dropped. */
function parseRows(text) {
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
function parseLines(text) {
    return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
}

;// CONCATENATED MODULE: ./src/repository/policies/lifecycle-shorthand.ts
/** The lifecycle shorthand (`keep=30,untagged-days=7`) compiled to an ECR lifecycle policy. Pure. */


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

;// CONCATENATED MODULE: ./src/repository/policies/policy-error.ts
/** A policy that ECR would refuse: the error names the input, the rule and the fix. */

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

;// CONCATENATED MODULE: ./src/repository/policies/lifecycle-validate.ts
/** A lifecycle policy checked against ECR's rules before any call, each problem named by rule and field. Pure. */




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

;// CONCATENATED MODULE: ./src/repository/policies/policy-source.ts
/** Where a policy input comes from: inline JSON, a file in the workspace, or a shorthand. Pure but for the reader it is given. */

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

;// CONCATENATED MODULE: ./src/repository/policies/lifecycle.ts
/** The `lifecycle-policy` input: JSON, a file, or the shorthand, resolved to the validated policy text. Pure. */



/**
 * The `lifecycle-policy` input, whichever way it is written (inline JSON, a path to a JSON file, or shorthand
 * such as `keep=30, untagged-days=7`), validated before any call. Undefined when the input is empty: the
 * repository's policy is then left as it is.
 */
function resolveLifecyclePolicy(text, readFile) {
    if (text.trim() === '')
        return undefined;
    const source = readPolicySource('lifecycle-policy', text, readFile, LIFECYCLE_SHORTHAND_KEYS);
    // Compiled policies go through the same validation: a shorthand bug must not reach ECR either.
    const policy = validateLifecyclePolicy(source.kind === 'shorthand' ? compileLifecycleShorthand(source.text) : source.json);
    return { policy, text: JSON.stringify(policy), source: source.kind };
}

;// CONCATENATED MODULE: ./src/repository/policies/repository-policy-validate.ts
/** A repository policy checked against ECR's and IAM's rules before SetRepositoryPolicy. Pure. */


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

;// CONCATENATED MODULE: ./src/repository/policies/repository-policy.ts
/** The `repository-policy` input: JSON, a file, or the `pull-accounts:` shorthand, resolved to the policy text. Pure. */





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
function resolveRepositoryPolicy(text, readFile, region) {
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

;// CONCATENATED MODULE: ./src/repository/policies/resource-tags.ts
/** The `repository-tags` input: AWS resource tags on a created repository (not image tags). Pure. */


const resource_tags_INPUT = 'repository-tags';
/** AWS's tag limits: letters, digits, spaces and `_ . : / = + - @`; keys 1-128, values 0-256; 50 per resource. */
/** With the u flag the length bounds count characters, as AWS does, not UTF-16 units. */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_TAGS = 50;
/** `team=platform, cost-center=42` → tags, in the order written. */
function resource_tags_parseResourceTags(text) {
    const tags = [];
    for (const item of parseList(text)) {
        const tag = parseTag(item);
        if (tags.some((seen) => seen.key === tag.key)) {
            throw new InputError(resource_tags_INPUT, item, `the key '${tag.key}' is given twice; give each key once`);
        }
        tags.push(tag);
    }
    if (tags.length > MAX_TAGS) {
        throw new InputError(resource_tags_INPUT, text, `a repository holds at most ${MAX_TAGS} tags, this gives ${tags.length}`);
    }
    return tags;
}
function parseTag(item) {
    const equals = item.indexOf('=');
    if (equals < 0)
        throw new InputError(resource_tags_INPUT, item, 'each item is key=value, e.g. team=platform');
    const key = item.slice(0, equals).trim();
    const value = item.slice(equals + 1).trim();
    if (!TAG_KEY.test(key)) {
        throw new InputError(resource_tags_INPUT, item, "a tag key is 1-128 letters, digits, spaces or _ . : / = + - @ (split at the first '=')");
    }
    if (key.toLowerCase().startsWith('aws:')) {
        throw new InputError(resource_tags_INPUT, item, "keys starting with 'aws:' are reserved for AWS; choose another key");
    }
    if (!TAG_VALUE.test(value)) {
        throw new InputError(resource_tags_INPUT, item, 'a tag value is 0-256 letters, digits, spaces or _ . : / = + - @');
    }
    return { key, value };
}

;// CONCATENATED MODULE: ./src/repository/policies/repository-settings.ts
/** The repository settings inputs (mutability, scanning, encryption, resource tags), parsed and checked together. Pure. */





function parseRepositorySettings(inputs) {
    const tagMutability = parseTagMutabilitySetting(inputs.tagMutability, inputs.tagMutabilityExclusions);
    const scanOnPush = parseScanOnPush(inputs.scanOnPush);
    const encryption = parseEncryption(inputs.encryption, inputs.kmsKey);
    return {
        ...(tagMutability && { tagMutability }),
        ...(scanOnPush !== undefined && { scanOnPush }),
        ...(encryption && { encryption }),
        resourceTags: parseResourceTags(inputs.repositoryTags),
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

;// CONCATENATED MODULE: ./src/repository/policies/index.ts
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



// The one manifest parser, for callers that know it from here.


/** ECR takes at most 100 image IDs in one BatchGetImage or BatchDeleteImage. */
const IMAGE_BATCH_SIZE = 100;
/** The largest page DescribeImages and ListImages give: fewer calls on big repositories. */
const PAGE_SIZE = 1000;
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
            acceptedMediaTypes: MANIFEST_TYPES,
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
/** ECR's index media types: what Lambda cannot run. */
const INDEX_MEDIA_TYPES = INDEX_TYPES;
/**
 * The media type ECR stores a just-pushed manifest under. Right after a push ECR may not find it yet (its
 * read-after-write window): that is asked again, briefly, not reported as a failure. Undefined when it
 * is still not there after every attempt.
 */
async function pushedManifestType(client, options) {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
        const response = await ecrCall(client, options, 'ecr:BatchGetImage', () => client.send(new BatchGetImageCommand({
            ...repositoryIdOf(options),
            imageIds: [{ imageDigest: options.digest }],
            acceptedMediaTypes: MANIFEST_TYPES,
        })));
        const image = response.images?.[0];
        const type = image?.imageManifestMediaType ?? mediaTypeIn(image?.imageManifest);
        if (type !== undefined)
            return type;
        if (attempt < attempts)
            await new Promise((resolve) => setTimeout(resolve, (options.delayMs ?? 500) * attempt));
    }
    return undefined;
}
/** Every image with its tags and manifest media type, over all DescribeImages pages. */
async function describeAll(client, target) {
    return repository_ecrCall(client, target, 'ecr:DescribeImages', async () => {
        const images = [];
        const pages = (0,dist_cjs/* paginateDescribeImages */.XiR)({ client, pageSize: PAGE_SIZE, stopOnSameToken: true }, repository_repositoryIdOf(target));
        for await (const page of pages) {
            for (const detail of page.imageDetails ?? []) {
                if (!detail.imageDigest)
                    continue;
                images.push({
                    digest: detail.imageDigest,
                    tags: detail.imageTags ?? [],
                    ...(detail.imageManifestMediaType ? { mediaType: detail.imageManifestMediaType } : {}),
                });
            }
        }
        return images;
    });
}
/** Manifest digest → its text, for the digests given (BatchGetImage, batches of 100). */
async function manifestTexts(client, target, digests) {
    const texts = new Map();
    for (const batch of batches([...new Set(digests)])) {
        const response = await repository_ecrCall(client, target, 'ecr:BatchGetImage', () => client.send(new dist_cjs/* BatchGetImageCommand */.P8n({
            ...repository_repositoryIdOf(target),
            imageIds: batch.map((imageDigest) => ({ imageDigest })),
            acceptedMediaTypes: manifests_MANIFEST_TYPES,
        })));
        for (const image of response.images ?? []) {
            const digest = image.imageId?.imageDigest;
            if (digest !== undefined && image.imageManifest !== undefined)
                texts.set(digest, image.imageManifest);
        }
    }
    return texts;
}
/**
 * Deletes the repository's untagged images that nothing kept refers to (cleanup-plan.ts), except those
 * in `keep`, in batches ECR accepts. ListImages' untagged filter only names candidates: each one's tags
 * are checked in DescribeImages first, since an image with a tag is never deleted.
 */
async function deleteUntaggedImages(client, options) {
    const keep = options.keep ?? new Set();
    const candidates = await listUntaggedDigests(client, options);
    const empty = { keptChildren: [], keptReferrers: [], orphanedReferrers: [], taggedAfterAll: [] };
    if (candidates.length === 0)
        return { found: [], deleted: [], failures: [], ...empty };
    const described = await describeAll(client, options);
    const tagsOf = new Map(described.map((image) => [image.digest, image.tags]));
    const taggedAfterAll = candidates.filter((digest) => (tagsOf.get(digest) ?? []).length > 0);
    // Manifests to read: every index (its children) and every untagged image (its subject).
    const reads = [
        ...described
            .filter((image) => image.tags.length === 0 || INDEX_MEDIA_TYPES.includes(image.mediaType ?? ''))
            .map((image) => image.digest),
        ...candidates.filter((digest) => !tagsOf.has(digest)),
    ];
    const texts = await manifestTexts(client, options, reads);
    const facts = [
        ...described,
        ...candidates.filter((digest) => !tagsOf.has(digest)).map((digest) => ({ digest, tags: [] })),
    ].map((image) => ({ digest: image.digest, tags: image.tags, ...manifestLinks(texts.get(image.digest)) }));
    const plan = planCleanup(facts);
    const untagged = new Set(candidates.filter((digest) => !taggedAfterAll.includes(digest)));
    const found = plan.remove.filter((digest) => untagged.has(digest) && !keep.has(digest));
    const cleanup = {
        found,
        deleted: [],
        failures: [],
        keptChildren: plan.keptChildren,
        keptReferrers: plan.keptReferrers,
        orphanedReferrers: plan.orphanedReferrers.filter((digest) => found.includes(digest)),
        taggedAfterAll,
    };
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
function batches(items, size = IMAGE_BATCH_SIZE) {
    const result = [];
    for (let start = 0; start < items.length; start += size)
        result.push(items.slice(start, start + size));
    return result;
}

;// CONCATENATED MODULE: ./src/inputs/table.ts
const SECTIONS = (/* unused pure expression or super */ null && (['Login', 'Tags and labels', 'Repository', 'Build and push']));
const BOOLEAN = { kind: 'boolean' };
const TEXT = { kind: 'text' };
const LIST = { kind: 'list' };
const LINES = { kind: 'lines' };
const choice = (...choices) => ({ kind: 'choice', choices });
const INPUTS = [
    // Login
    {
        name: 'region',
        section: 'Login',
        value: TEXT,
        help: 'AWS region (default AWS_REGION, then AWS_DEFAULT_REGION)',
    },
    {
        name: 'registries',
        section: 'Login',
        value: LIST,
        help: 'account IDs and/or registry hostnames, comma-separated',
    },
    {
        name: 'registry-type',
        section: 'Login',
        default: 'private',
        value: choice('private', 'public'),
        help: 'private (default) or public (ECR Public)',
        iam: { features: ['ecrPublic'], when: (inputs) => inputs.registryType === 'public' },
    },
    {
        name: 'docker-config',
        section: 'Login',
        default: 'default',
        value: TEXT,
        help: 'default (DOCKER_CONFIG or ~/.docker), isolated, or a directory',
    },
    {
        name: 'mask-password',
        section: 'Login',
        default: 'true',
        value: BOOLEAN,
        help: 'true (default) or false',
    },
    {
        name: 'skip-logout',
        section: 'Login',
        default: 'false',
        value: BOOLEAN,
        help: 'push: leave the credentials in the docker config',
    },
    {
        name: 'http-proxy',
        section: 'Login',
        value: TEXT,
        help: 'proxy for AWS API calls (default HTTPS_PROXY, HTTP_PROXY)',
    },
    {
        name: 'max-attempts',
        section: 'Login',
        default: '5',
        value: { kind: 'integer', min: 1, max: 20 },
        help: 'attempts per AWS call, 1-20 (default 5)',
    },
    // Tags and labels
    {
        name: 'repository',
        section: 'Tags and labels',
        value: TEXT,
        help: 'ECR repository name, such as team/app',
    },
    {
        name: 'tags',
        section: 'Tags and labels',
        value: LINES,
        help: 'tag rules, one per flag or line (default type=sha, type=branch, type=tag)',
    },
    {
        name: 'latest',
        section: 'Tags and labels',
        default: 'auto',
        value: TEXT,
        help: 'auto (default), true, false, or branch names',
    },
    {
        name: 'labels',
        section: 'Tags and labels',
        value: LINES,
        help: 'extra labels, key=value, one per flag or line',
    },
    {
        name: 'created',
        section: 'Tags and labels',
        default: 'commit',
        value: TEXT,
        help: 'created label: commit (default), now, ISO time or Unix seconds',
    },
    // Repository
    {
        name: 'create-repository',
        section: 'Repository',
        default: 'false',
        value: BOOLEAN,
        help: 'create the repository when missing',
        managesRepository: true,
        iam: { features: ['createRepository'], when: (inputs) => inputs.management.create },
    },
    {
        name: 'tag-mutability',
        section: 'Repository',
        value: choice('MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'),
        help: 'MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION',
        managesRepository: true,
        iam: {
            features: ['updateSettings'],
            when: (inputs) => inputs.management.settings.tagMutability !== undefined,
        },
    },
    {
        name: 'tag-mutability-exclusions',
        section: 'Repository',
        value: LIST,
        help: 'wildcard filters for the *_WITH_EXCLUSION settings',
        managesRepository: true,
    },
    {
        name: 'scan-on-push',
        section: 'Repository',
        value: BOOLEAN,
        help: 'true or false',
        managesRepository: true,
        iam: {
            features: ['updateSettings'],
            when: (inputs) => inputs.management.settings.scanOnPush !== undefined,
        },
    },
    {
        name: 'encryption',
        section: 'Repository',
        value: choice('AES256', 'KMS'),
        help: 'AES256 or KMS, for a created repository',
        managesRepository: true,
    },
    {
        name: 'kms-key',
        section: 'Repository',
        value: TEXT,
        help: 'with encryption KMS: key ARN, ID or alias',
        managesRepository: true,
        iam: {
            features: ['kmsKey'],
            when: (inputs) => inputs.management.create && kmsKeyOf(inputs) !== undefined,
        },
    },
    {
        name: 'repository-tags',
        section: 'Repository',
        value: LIST,
        help: 'key=value resource tags for a created repository',
        managesRepository: true,
        iam: {
            features: ['repositoryTags'],
            when: (inputs) => inputs.management.create && inputs.management.settings.resourceTags.length > 0,
        },
    },
    {
        name: 'lifecycle-policy',
        section: 'Repository',
        value: TEXT,
        help: 'JSON, a file, or shorthand such as keep=30,untagged-days=7',
        managesRepository: true,
        iam: { features: ['lifecyclePolicy'], when: (inputs) => inputs.management.lifecyclePolicy !== undefined },
    },
    {
        name: 'repository-policy',
        section: 'Repository',
        value: TEXT,
        help: 'JSON, a file, or pull-accounts: ID,ID',
        managesRepository: true,
        iam: {
            features: ['repositoryPolicy'],
            when: (inputs) => inputs.management.repositoryPolicy !== undefined,
        },
    },
    {
        name: 'on-immutable',
        section: 'Repository',
        default: 'skip',
        value: choice('skip', 'fail'),
        help: 'skip (default) or fail, for moving tags on immutable repositories',
    },
    {
        name: 'cleanup',
        section: 'Repository',
        value: choice('untagged'),
        help: 'untagged: delete untagged images after the push',
        managesRepository: true,
        iam: { features: ['cleanup'], when: (inputs) => inputs.management.cleanup },
    },
    {
        name: 'cleanup-dry-run',
        section: 'Repository',
        default: 'false',
        value: BOOLEAN,
        help: 'list what cleanup would delete',
    },
    // Build and push
    {
        name: 'build',
        section: 'Build and push',
        default: 'false',
        value: BOOLEAN,
        help: 'build from the context and push',
    },
    {
        name: 'source-image',
        section: 'Build and push',
        value: TEXT,
        help: 'push this local image, or promote this registry image, instead of building',
        // A promotion reads the image's manifests and blobs over the registry API.
        iam: {
            features: ['pullFrom'],
            when: (inputs) => inputs.build.sourceRegistry !== undefined,
        },
    },
    {
        name: 'context',
        section: 'Build and push',
        default: '.',
        value: TEXT,
        help: 'build context directory or URL (default .)',
    },
    {
        name: 'file',
        section: 'Build and push',
        value: TEXT,
        help: 'Dockerfile (default <context>/Dockerfile)',
    },
    { name: 'target', section: 'Build and push', value: TEXT, help: 'build stage' },
    {
        name: 'build-args',
        section: 'Build and push',
        value: LINES,
        help: 'NAME=VALUE, one per flag or line',
    },
    {
        name: 'label-build-args',
        section: 'Build and push',
        default: 'true',
        value: BOOLEAN,
        help: 'pass the labels as OCI_* build args too (default true)',
    },
    { name: 'platforms', section: 'Build and push', value: LIST, help: 'target platforms (buildx)' },
    {
        name: 'cache',
        section: 'Build and push',
        value: choice('ecr', 'none'),
        help: 'ecr: registry cache in the repository (buildx)',
        // cache: ecr reads its cache layers back from the repository: the pull actions.
        iam: { features: ['pullFrom'], when: (inputs) => inputs.build.cache },
    },
    {
        name: 'cache-from',
        section: 'Build and push',
        value: LINES,
        help: 'raw --cache-from values (buildx)',
    },
    { name: 'cache-to', section: 'Build and push', value: LINES, help: 'raw --cache-to values (buildx)' },
    {
        name: 'provenance',
        section: 'Build and push',
        default: 'false',
        value: TEXT,
        flag: true,
        help: 'false (default), true, mode=min, mode=max (buildx)',
    },
    {
        name: 'sbom',
        section: 'Build and push',
        default: 'false',
        value: BOOLEAN,
        help: 'attach an SBOM attestation (buildx)',
    },
    {
        name: 'lambda',
        section: 'Build and push',
        default: 'false',
        value: BOOLEAN,
        help: 'an image AWS Lambda can run: one platform, no attestations, an image manifest',
    },
    {
        name: 'push-by-digest',
        section: 'Build and push',
        default: 'false',
        value: BOOLEAN,
        help: 'push the manifest by digest only, no tags (buildx): the digests output feeds merge-digests',
        // Each platform of the push is read back to name it in the digests output.
        iam: { features: ['pullFrom'], when: (inputs) => inputs.build.pushByDigest },
    },
    {
        name: 'merge-digests',
        section: 'Build and push',
        value: LINES,
        help: 'write one image index over these digests (or digests outputs) and tag it; builds nothing',
        // The children's manifests and configs are read back over the registry API.
        iam: { features: ['pullFrom'], when: (inputs) => inputs.build.mode === 'merge' },
    },
    {
        name: 'skip-existing',
        section: 'Build and push',
        default: 'false',
        value: BOOLEAN,
        help: "with build: no build when the commit's sha tag exists; only the missing tags are added",
        // The commit's image is read (and copied between registries) over the registry API.
        iam: { features: ['pullFrom'], when: (inputs) => inputs.build.skipExisting },
    },
    {
        name: 'wait-for-replication',
        section: 'Build and push',
        default: 'false',
        value: TEXT,
        help: 'true (up to 600 s) or seconds: wait until ECR has replicated the pushed image everywhere',
        flag: true,
        iam: {
            features: ['replication'],
            when: (inputs) => inputs.build.replicationTimeoutSeconds !== undefined,
        },
    },
    {
        name: 'scan-fail-on',
        section: 'Build and push',
        default: 'none',
        value: choice('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'none'),
        help: 'the scan gate: findings at this severity or above keep the tags off the image and fail the step',
        iam: { features: ['scan'], when: (inputs) => inputs.build.scanGate !== undefined },
    },
    {
        name: 'scan-ignore',
        section: 'Build and push',
        value: LIST,
        help: 'vulnerability IDs (CVE-...) the scan gate never fails on',
    },
    {
        name: 'scan-timeout',
        section: 'Build and push',
        default: '600',
        value: { kind: 'integer', min: 10, max: 3600 },
        help: 'seconds the scan gate waits for the scan to complete',
    },
    {
        name: 'builder',
        section: 'Build and push',
        default: 'auto',
        // Also the name of a buildx builder instance, so not a closed choice.
        value: TEXT,
        help: 'auto (default), buildx, docker, or a buildx builder name',
    },
    {
        name: 'push',
        section: 'Build and push',
        default: 'auto',
        value: choice('auto', 'true', 'false'),
        flag: true,
        help: 'auto (default: not for pull requests), true or false',
    },
    {
        name: 'secrets',
        section: 'Build and push',
        value: LINES,
        help: 'BuildKit secrets: NAME=VALUE, id=NAME,src=FILE or id=NAME,env=VAR (buildx)',
    },
    {
        name: 'load',
        section: 'Build and push',
        default: 'false',
        value: BOOLEAN,
        help: 'also load the pushed image locally (buildx)',
    },
    {
        name: 'no-cache',
        section: 'Build and push',
        default: 'false',
        value: BOOLEAN,
        help: 'build without the cache',
    },
    {
        name: 'pull',
        section: 'Build and push',
        default: 'false',
        value: BOOLEAN,
        help: 'always pull newer base images',
    },
    {
        name: 'build-contexts',
        section: 'Build and push',
        value: LINES,
        help: 'extra build contexts, NAME=VALUE per line (buildx)',
    },
    {
        name: 'ssh',
        section: 'Build and push',
        value: LINES,
        help: 'SSH agent sockets or keys, default or ID=PATH (buildx)',
    },
    {
        name: 'annotations',
        section: 'Build and push',
        value: LINES,
        help: 'OCI annotations, [LEVEL:]KEY=VALUE per line (buildx)',
    },
    {
        name: 'network',
        section: 'Build and push',
        value: TEXT,
        help: 'network for RUN steps: host, none or a name',
    },
    {
        name: 'add-hosts',
        section: 'Build and push',
        value: LIST,
        help: 'HOST:IP mappings for the build',
    },
    {
        name: 'shm-size',
        section: 'Build and push',
        value: TEXT,
        help: 'size of /dev/shm, such as 2g',
    },
    {
        name: 'ulimit',
        section: 'Build and push',
        value: LINES,
        help: 'ulimits, TYPE=SOFT[:HARD] per line',
    },
    {
        name: 'secret-files',
        section: 'Build and push',
        value: LINES,
        help: 'BuildKit secrets from files, ID=PATH per line (buildx)',
    },
    {
        name: 'secret-envs',
        section: 'Build and push',
        value: LINES,
        help: 'BuildKit secrets from variables, ID=VARIABLE per line (buildx)',
    },
    {
        name: 'allow',
        section: 'Build and push',
        value: LIST,
        help: 'entitlements such as network.host (buildx)',
    },
];
const BY_NAME = new Map(INPUTS.map((spec) => [spec.name, spec]));
/** The spec of an input; a name that is not in the table is a bug in the caller, not a user's mistake. */
function inputSpec(name) {
    const spec = BY_NAME.get(name);
    if (!spec)
        throw new Error(`'${name}' is not an input of this action (src/inputs/table.ts)`);
    return spec;
}
/** A bare CLI flag means `true`. */
function takesBareFlag(spec) {
    return spec.value.kind === 'boolean' || spec.flag === true;
}
/** The inputs that manage the ECR repository: setting one needs `repository`. */
const REPOSITORY_INPUTS = INPUTS.filter((spec) => spec.managesRepository).map((spec) => spec.name);
function kmsKeyOf(inputs) {
    const { encryption } = inputs.management.settings;
    return encryption?.type === 'KMS' ? encryption.kmsKey : undefined;
}
/**
 * The IAM features the inputs turn on, from the table's `iam` column; the features that carry a value get
 * it here (the repositories the build pulls from, the key a created repository is encrypted with).
 */
function iamFeaturesOfInputs(inputs, repositories = []) {
    const features = {};
    for (const spec of INPUTS) {
        if (!spec.iam?.when(inputs))
            continue;
        for (const feature of spec.iam.features) {
            if (feature === 'pullFrom')
                features.pullFrom = repositories;
            else if (feature === 'kmsKey') {
                const key = kmsKeyOf(inputs);
                if (key)
                    features.kmsKey = key;
            }
            else
                features[feature] = true;
        }
    }
    return features;
}

;// CONCATENATED MODULE: ./src/inputs/read.ts
/**
 * The one place an input's text is read (core.getInput): the runner's INPUT_* variable, or the table's
 * default when it is empty, so a default is written once (src/inputs/table.ts) for the action and the CLI.
 */


function readInput(name) {
    return core/* getInput */.V4(name) || (inputSpec(name).default ?? '');
}

;// CONCATENATED MODULE: ./src/inputs/proxy.ts
/**
 * The proxy for AWS API calls: the one input both steps read. It has a module of its own so the post
 * step's clean-up reads it without loading every other input's parser (the rest of inputs.ts).
 */


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
/** `http-proxy`, else HTTPS_PROXY, then HTTP_PROXY (either case); NO_PROXY is applied per call later. */
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
/** The proxy alone, for the post step's clean-up calls (the runner gives the post step the same inputs). */
function getProxySetting(env = process.env) {
    return resolveProxy(readInput('http-proxy'), env);
}

;// CONCATENATED MODULE: ./src/repository/cleanup-step.ts
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
            const orphaned = new Set(result.orphanedReferrers);
            if (state.dryRun) {
                core/* info */.pq(`${where}: cleanup-dry-run: ${result.found.length} untagged image(s) would be deleted.`);
                for (const digest of result.found) {
                    core/* info */.pq(`  ${digest}${orphaned.has(digest) ? ' (a referrer of an image that is gone)' : ''}`);
                }
            }
            else {
                core/* info */.pq(`${where}: deleted ${result.deleted.length} of ${result.found.length} untagged image(s).`);
            }
            // What stays although untagged, and why: listed in a dry run too.
            const kept = [
                ...result.keptChildren.map((digest) => `  ${digest} (a platform manifest of a kept index)`),
                ...result.keptReferrers.map((digest) => `  ${digest} (a signature, SBOM or attestation of a kept image)`),
            ];
            if (kept.length > 0) {
                core/* info */.pq(`${where}: kept ${kept.length} untagged image(s) that kept images need:`);
                for (const line of kept)
                    core/* info */.pq(line);
            }
            for (const digest of result.taggedAfterAll) {
                core/* warning */.$e(`${where}: kept ${digest}: ECR listed it as untagged, but it has a tag.`);
            }
            for (const failure of result.failures)
                core/* warning */.$e(`${where}: kept ${failure.digest}: ${failure.reason}`);
        }
        finally {
            client.destroy();
        }
    }
}


/***/ })

};

//# sourceMappingURL=121.index.js.map