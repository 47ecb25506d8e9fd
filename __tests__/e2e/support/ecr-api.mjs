// A stand-in for the ECR and ECR Public APIs, good enough for the AWS SDK v3 pointed at it through
// AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL_ECR_PUBLIC. It speaks AWS JSON 1.1 on 127.0.0.1 only,
// records every call and can misbehave on demand so retry and error paths are testable end to end.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { AwsError, DEFAULT_ACCOUNT, errors } from './ecr-api-errors.mjs';
import { imageHandlers, listImageRecords, seedImages } from './ecr-api-images.mjs';
import { createRepositoryStore, repositoryHandlers } from './ecr-api-repositories.mjs';

export { AwsError, DEFAULT_ACCOUNT, errors };

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';
export const ECR_PUBLIC_TARGET_PREFIX = 'SpencerFrontendService';
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;

const SERVICES = { [ECR_TARGET_PREFIX]: 'ecr', [ECR_PUBLIC_TARGET_PREFIX]: 'ecr-public' };
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 1024 * 1024;

const NO_FAULTS = Object.freeze({
  reset: 0,
  serverError: 0,
  unavailable: 0,
  throttle: 0,
  expiredToken: 0,
  unrecognizedClient: 0,
  accessDenied: [],
  delayMs: 0,
  operations: null,
});

// One fault per call at most, in this order, so "2 throttles then a 500" is expressible by counts.
const COUNTED_FAULTS = [
  ['reset', null],
  ['serverError', errors.server],
  ['unavailable', errors.unavailable],
  ['throttle', errors.throttling],
  ['expiredToken', errors.expiredToken],
  ['unrecognizedClient', errors.unrecognizedClient],
];

function credentialScope(authorization) {
  const match = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  if (!match) return null;
  return { accessKeyId: match[1], date: match[2], region: match[3], service: match[4] };
}

function isAccountId(value) {
  return typeof value === 'string' && /^\d{12}$/.test(value);
}

function newPassword() {
  // bcrypt (the registry's htpasswd) only reads the first 72 bytes, so stay well under that.
  return randomBytes(32).toString('base64url');
}

function authToken(password) {
  return Buffer.from(`AWS:${password}`).toString('base64');
}

/**
 * Handlers keyed by service, then operation. Each gets a context and returns the response body or
 * throws an AwsError. Scenarios replace or add operations through `start({ handlers })` or
 * `api.setHandler()`; wrapping a default one (`defaultHandlers.ecr.X(ctx)`) keeps its behaviour.
 */
export const defaultHandlers = {
  ecr: {
    GetAuthorizationToken(ctx) {
      const ids = ctx.body.registryIds;
      if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0 || ids.length > 10)) {
        throw errors.invalidParameter('registryIds must hold between 1 and 10 registry IDs');
      }
      const accountIds = ids ?? [ctx.state.defaultAccount];
      const bad = accountIds.find((id) => !isAccountId(id));
      if (bad !== undefined) {
        throw errors.invalidParameter(
          `Invalid parameter at 'registryIds' failed to satisfy constraint: ${bad}`,
        );
      }
      const expiresAt = Math.floor(ctx.now() / 1000) + TOKEN_TTL_SECONDS;
      return {
        authorizationData: accountIds.map((id) => {
          const account = ctx.state.account(id, ctx.region);
          ctx.state.issue(account.password);
          return {
            authorizationToken: authToken(account.password),
            expiresAt,
            proxyEndpoint: account.proxyEndpoint,
          };
        }),
      };
    },
    ...repositoryHandlers,
    ...imageHandlers,
    // Image scans: none until StartImageScan (a repository without scan-on-push); then IN_PROGRESS on the
    // first ask and COMPLETE with the findings a scenario puts in api.data.scanFindings (basic scanning's
    // shape: {name, severity, uri}).
    StartImageScan(ctx) {
      const digest = ctx.body.imageId?.imageDigest;
      const scans = (ctx.state.data.scans ??= {});
      scans[digest] ??= { asked: 0 };
      return {
        repositoryName: ctx.body.repositoryName,
        imageId: ctx.body.imageId,
        imageScanStatus: { status: 'IN_PROGRESS', description: 'The scan is in progress.' },
      };
    },
    DescribeImageScanFindings(ctx) {
      const digest = ctx.body.imageId?.imageDigest;
      const scan = ctx.state.data.scans?.[digest];
      if (!scan) {
        throw new AwsError(
          'ScanNotFoundException',
          `Image scan does not exist for the image with '{imageDigest:${digest}}' in the repository with name '${ctx.body.repositoryName}'`,
        );
      }
      scan.asked += 1;
      if (scan.asked === 1) return { imageScanStatus: { status: 'IN_PROGRESS' } };
      const findings = ctx.state.data.scanFindings ?? [];
      const counts = {};
      for (const finding of findings) counts[finding.severity] = (counts[finding.severity] ?? 0) + 1;
      return {
        repositoryName: ctx.body.repositoryName,
        imageId: ctx.body.imageId,
        imageScanStatus: { status: 'COMPLETE', description: 'The scan was completed successfully.' },
        imageScanFindings: { findingSeverityCounts: counts, findings },
      };
    },
    // A registry without replication rules: no destinations. Scenarios answer IN_PROGRESS, COMPLETE, FAILED.
    DescribeImageReplicationStatus(ctx) {
      return { repositoryName: ctx.body.repositoryName, imageId: ctx.body.imageId, replicationStatuses: [] };
    },
  },
  'ecr-public': {
    GetAuthorizationToken(ctx) {
      const expiresAt = Math.floor(ctx.now() / 1000) + TOKEN_TTL_SECONDS;
      ctx.state.issue(ctx.state.publicPassword);
      return { authorizationData: { authorizationToken: authToken(ctx.state.publicPassword), expiresAt } };
    },
  },
};

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsError('SerializationException', 'Request body too large', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

function sendError(res, err) {
  sendJson(
    res,
    err.status,
    { __type: err.type, message: err.message, ...err.extra },
    {
      'x-amzn-errortype': err.type,
    },
  );
}

/**
 * Start the stand-in.
 * @param {object} [options]
 * @param {Array<{accountId: string, region: string, proxyEndpoint?: string, password?: string}>} [options.accounts]
 * @param {string} [options.defaultAccount] account answered for calls without registryIds
 * @param {'synthesize'|'deny'} [options.unknownAccounts] what an account/region not configured gets
 * @param {string} [options.publicPassword] ECR Public password (random when absent)
 * @param {object} [options.handlers] extra or replacement handlers, `{ ecr: { Op(ctx) {} } }`
 * @param {object} [options.faults] initial faults, as for setFaults()
 * @param {() => number} [options.now] clock in ms, for expiry
 */
export async function start(options = {}) {
  const handlers = {
    ecr: { ...defaultHandlers.ecr, ...options.handlers?.ecr },
    'ecr-public': { ...defaultHandlers['ecr-public'], ...options.handlers?.['ecr-public'] },
  };
  const accounts = new Map();
  const issued = new Set();
  const calls = [];
  let faults = { ...NO_FAULTS };
  const sockets = new Set();

  const state = {
    defaultAccount: options.defaultAccount ?? DEFAULT_ACCOUNT,
    unknownAccounts: options.unknownAccounts ?? 'synthesize',
    publicPassword: options.publicPassword ?? newPassword(),
    data: {},
    account(accountId, region) {
      const key = `${accountId}/${region}`;
      let account = accounts.get(key);
      if (!account) {
        if (this.unknownAccounts === 'deny') throw errors.accessDenied('GetAuthorizationToken');
        account = addAccount({ accountId, region });
      }
      return account;
    },
    /** The account configured or synthesized so far, without synthesizing one. */
    knownAccount: (accountId, region) => accounts.get(`${accountId}/${region}`),
    issue(password) {
      issued.add(password);
      issued.add(authToken(password));
    },
    repositories: createRepositoryStore({
      registryHost: (accountId, region) =>
        new URL(
          accounts.get(`${accountId}/${region}`)?.proxyEndpoint ??
            `https://${accountId}.dkr.ecr.${region}.amazonaws.com`,
        ).host,
    }),
  };

  function addAccount({ accountId, region, proxyEndpoint, password }) {
    const account = {
      accountId,
      region,
      proxyEndpoint: proxyEndpoint ?? `https://${accountId}.dkr.ecr.${region}.amazonaws.com`,
      password: password ?? newPassword(),
    };
    accounts.set(`${accountId}/${region}`, account);
    return account;
  }
  for (const account of options.accounts ?? []) addAccount(account);

  function setFaults(next = {}) {
    const unknown = Object.keys(next).filter((key) => !(key in NO_FAULTS));
    if (unknown.length > 0) throw new Error(`unknown fault(s): ${unknown.join(', ')}`);
    faults = { ...NO_FAULTS, ...next };
  }
  if (options.faults) setFaults(options.faults);

  function pickFault(operation) {
    if (faults.accessDenied.includes(operation))
      return { name: 'accessDenied', error: errors.accessDenied(operation) };
    if (faults.operations && !faults.operations.includes(operation)) return null;
    for (const [name, make] of COUNTED_FAULTS) {
      if (faults[name] > 0) {
        faults[name] -= 1;
        return { name, error: make?.() };
      }
    }
    return null;
  }

  async function handle(req, res) {
    const call = {
      time: Date.now(),
      method: req.method,
      service: null,
      operation: null,
      region: null,
      accessKeyId: null,
      signingName: null,
      body: null,
      userAgent: req.headers['user-agent'] ?? null,
      status: null,
      error: null,
      fault: null,
    };
    calls.push(call);
    const finish = (status, error = null) => {
      call.status = status;
      call.error = error;
    };
    try {
      const raw = await readBody(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const dot = target.lastIndexOf('.');
      const prefix = target.slice(0, dot);
      call.operation = dot > 0 ? target.slice(dot + 1) : null;
      call.service = SERVICES[prefix] ?? null;
      const scope = credentialScope(req.headers.authorization);
      call.region = scope?.region ?? null;
      call.accessKeyId = scope?.accessKeyId ?? null;
      call.signingName = scope?.service ?? null;

      if (req.method !== 'POST' || req.url !== '/') {
        throw new AwsError('UnknownOperationException', `${req.method} ${req.url} is not an API call`, 404);
      }
      try {
        call.body = raw === '' ? {} : JSON.parse(raw);
      } catch {
        throw new AwsError('SerializationException', 'Request body is not JSON', 400);
      }
      if (!String(req.headers['content-type'] ?? '').startsWith(JSON_CONTENT_TYPE)) {
        throw new AwsError('SerializationException', `content-type must be ${JSON_CONTENT_TYPE}`, 400);
      }
      if (!scope) {
        throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      }
      const handler = call.service ? handlers[call.service][call.operation] : undefined;
      if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${target}`, 400);

      const fault = pickFault(call.operation);
      if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
      if (fault) {
        call.fault = fault.name;
        if (fault.name === 'reset') {
          finish(null, 'reset');
          req.socket.destroy();
          return;
        }
        throw fault.error;
      }
      const body = await handler({
        service: call.service,
        operation: call.operation,
        region: call.region,
        accessKeyId: call.accessKeyId,
        body: call.body,
        headers: req.headers,
        state,
        now: options.now ?? Date.now,
      });
      finish(200);
      sendJson(res, 200, body ?? {});
    } catch (err) {
      const awsError =
        err instanceof AwsError
          ? err
          : new AwsError('InternalFailure', `stand-in bug: ${err?.message ?? err}`, 500);
      finish(awsError.status, awsError.type);
      if (!res.headersSent && !res.destroyed) sendError(res, awsError);
    }
  }

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    /** Calls of one operation (and service, default ecr). */
    callsOf(operation, service = 'ecr') {
      return calls.filter((c) => c.operation === operation && c.service === service);
    },
    setFaults,
    clearFaults: () => setFaults({}),
    setHandler(service, operation, handler) {
      handlers[service][operation] = handler;
    },
    addAccount,
    /** The account the stand-in answers for `accountId` in `region` (created if unknown). */
    account: (accountId, region) => state.account(accountId, region),
    get publicPassword() {
      return state.publicPassword;
    },
    /**
     * A repository's record (settings, policies, seeded images), or undefined when it does not exist.
     * With `settings`, creates it or changes those settings first: `imageTagMutability`,
     * `exclusionFilters`, `scanOnPush`, `encryption` ({ encryptionType, kmsKey }), `tags`
     * ([{ Key, Value }]), `lifecyclePolicy` and `repositoryPolicy` (text, as GetX would return it).
     */
    repository(accountId, region, name, settings) {
      return settings === undefined
        ? state.repositories.get(accountId, region, name)
        : state.repositories.seed(accountId, region, name, settings);
    },
    /**
     * Adds images only the stand-in knows of (creating the repository if needed), e.g. untagged ones
     * a registry cannot list: `[{ digest, tags?, configDigest?, manifest?, mediaType?, pushedAt? }]`.
     */
    seedImages(accountId, region, name, images) {
      seedImages(state.repositories.seed(accountId, region, name), images);
    },
    /** The repository's images as DescribeImages sees them (registry and seeded), by digest. */
    async images(accountId, region, name) {
      const record = state.repositories.get(accountId, region, name);
      if (!record) return [];
      const images = await listImageRecords(state, record);
      return images.map(({ digest, tags, mediaType, manifest }) => ({ digest, tags, mediaType, manifest }));
    },
    /** Per-test scratch space shared with handlers (ctx.state.data). */
    data: state.data,
    /** Every password and base64 token handed out so far: what a log must never show. */
    issuedSecrets: () => [...issued],
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export { authToken };
