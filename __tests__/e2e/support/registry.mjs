// A real Docker registry (distribution's docker-registry) with basic auth, standing in for the
// registry behind an ECR proxyEndpoint, plus a small HTTP client to read pushed images back.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, run, sleep, stop, tempDir, track } from './proc.mjs';

export const REGISTRY_USER = 'AWS';
const REGISTRY_BIN = process.env.E2E_REGISTRY_BIN ?? 'docker-registry';
const READY_TIMEOUT_MS = 20_000;
const START_ATTEMPTS = 3;

const MANIFEST_TYPES = {
  dockerV2: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
};

async function htpasswdLine(user, password) {
  // -i takes the password on stdin so it never shows in a process listing.
  let result;
  try {
    result = await run('htpasswd', ['-niB', user], { input: `${password}\n`, timeoutMs: 30_000 });
  } catch (err) {
    throw new Error(`htpasswd could not be run (install apache2-utils): ${err.message}`);
  }
  const line = result.stdout.split('\n')[0] ?? '';
  if (result.code !== 0 || !line.startsWith(`${user}:$2`)) {
    throw new Error(`htpasswd failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return `${line}\n`;
}

function registryConfig({ port, storage, htpasswdPath, secret, accessLog = false }) {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    `    disabled: ${!accessLog}`,
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${secret}`,
    'auth:',
    '  htpasswd:',
    '    realm: ecr-e2e',
    `    path: ${htpasswdPath}`,
    '',
  ].join('\n');
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(child, url, gaveUp) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !gaveUp.value) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 401) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}

/**
 * Start a registry on 127.0.0.1:<free port> that accepts user AWS with a random password.
 * @returns {Promise<{host: string, url: string, user: string, password: string, dir: string, logFile: string, close(): Promise<void>}>}
 */
/**
 * `accessLog: true` logs every request (combined log format) to `registry.logFile`: what
 * `requestsSince()` reads, to count the uploads an operation made.
 */
export async function startRegistry({
  password = randomBytes(24).toString('base64url'),
  accessLog = false,
} = {}) {
  const dir = await tempDir('registry');
  const htpasswdPath = path.join(dir, 'htpasswd');
  const storage = path.join(dir, 'storage');
  const configPath = path.join(dir, 'config.yml');
  const logFile = path.join(dir, 'registry.log');
  await writeFile(htpasswdPath, await htpasswdLine(REGISTRY_USER, password), { mode: 0o600 });

  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await freePort();
    const secret = randomBytes(16).toString('hex');
    await writeFile(configPath, registryConfig({ port, storage, htpasswdPath, secret, accessLog }), {
      mode: 0o600,
    });
    const log = openSync(logFile, 'a');
    let child;
    try {
      child = track(spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', log, log] }));
    } finally {
      closeSync(log);
    }
    const gaveUp = { value: false };
    const spawnError = new Promise((resolve) => child.once('error', resolve));
    const ready = await Promise.race([waitReady(child, `http://127.0.0.1:${port}`, gaveUp), spawnError]);
    gaveUp.value = true;
    if (ready instanceof Error) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`${REGISTRY_BIN} could not be started (install docker-registry): ${ready.message}`);
    }
    if (ready === true) {
      const host = `127.0.0.1:${port}`;
      return {
        host,
        url: `http://${host}`,
        user: REGISTRY_USER,
        password,
        dir,
        logFile,
        async close() {
          await stop(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stop(child);
    // Another process may have taken the port between freePort() and the registry binding it.
    if (attempt === START_ATTEMPTS) {
      const log = tail(logFile);
      await rm(dir, { recursive: true, force: true });
      throw new Error(`registry did not answer 401 on /v2/ within ${READY_TIMEOUT_MS} ms:\n${log}`);
    }
  }
  throw new Error('unreachable');
}

function basicAuth(registry) {
  return `Basic ${Buffer.from(`${registry.user ?? REGISTRY_USER}:${registry.password}`).toString('base64')}`;
}

/** One authenticated request to the registry's /v2 API. */
export async function registryFetch(registry, pathname, { method = 'GET', headers = {}, body } = {}) {
  return fetch(`http://${registry.host}${pathname}`, {
    method,
    headers: { authorization: basicAuth(registry), ...headers },
    body,
    signal: AbortSignal.timeout(15_000),
  });
}

async function expectOk(res, what) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

/** Tags of a repository, or [] when it does not exist. */
export async function listTags(registry, repository) {
  const res = await registryFetch(registry, `/v2/${repository}/tags/list`);
  if (res.status === 404) return [];
  await expectOk(res, `tags of ${repository}`);
  return (await res.json()).tags ?? [];
}

/**
 * The manifest of `repository:reference`; an index/list is resolved to its linux/amd64 entry
 * (else its first). Returns `{ digest, mediaType, manifest, index }`, or null when not found.
 */
export async function getManifest(registry, repository, reference) {
  const accept = Object.values(MANIFEST_TYPES).join(', ');
  const res = await registryFetch(registry, `/v2/${repository}/manifests/${reference}`, {
    headers: { accept },
  });
  if (res.status === 404) return null;
  await expectOk(res, `manifest ${repository}:${reference}`);
  const mediaType = res.headers.get('content-type')?.split(';')[0];
  const digest = res.headers.get('docker-content-digest');
  const manifest = await res.json();
  if (mediaType === MANIFEST_TYPES.dockerList || mediaType === MANIFEST_TYPES.ociIndex) {
    const entries = manifest.manifests ?? [];
    const chosen =
      entries.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ?? entries[0];
    if (!chosen) throw new Error(`empty index for ${repository}:${reference}`);
    const inner = await getManifest(registry, repository, chosen.digest);
    return inner && { ...inner, index: manifest };
  }
  return { digest, mediaType, manifest, index: null };
}

/**
 * The manifest of `repository:reference` exactly as the registry stores it (an index is not resolved):
 * `{ digest, mediaType, manifest }`, or null when not found.
 */
export async function getRawManifest(registry, repository, reference) {
  const accept = Object.values(MANIFEST_TYPES).join(', ');
  const res = await registryFetch(registry, `/v2/${repository}/manifests/${reference}`, {
    headers: { accept },
  });
  if (res.status === 404) return null;
  await expectOk(res, `manifest ${repository}:${reference}`);
  return {
    digest: res.headers.get('docker-content-digest'),
    mediaType: res.headers.get('content-type')?.split(';')[0],
    manifest: await res.json(),
  };
}

/** A blob's bytes. */
export async function getBlob(registry, repository, digest) {
  const res = await registryFetch(registry, `/v2/${repository}/blobs/${digest}`);
  await expectOk(res, `blob ${digest} of ${repository}`);
  return Buffer.from(await res.arrayBuffer());
}

/** The image config (the JSON the manifest's config descriptor points at), or null. */
export async function getImageConfig(registry, repository, reference) {
  const found = await getManifest(registry, repository, reference);
  if (!found) return null;
  const res = await registryFetch(registry, `/v2/${repository}/blobs/${found.manifest.config.digest}`);
  await expectOk(res, `config blob of ${repository}:${reference}`);
  return JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8'));
}

/** The labels of a pushed image (`{}` when it has none), or null when the image is absent. */
export async function getLabels(registry, repository, reference) {
  const config = await getImageConfig(registry, repository, reference);
  return config && (config.config?.Labels ?? {});
}

function sha256(buffer) {
  return `sha256:${createHash('sha256').update(buffer).digest('hex')}`;
}

async function uploadBlob(registry, repository, buffer) {
  const digest = sha256(buffer);
  const started = await expectOk(
    await registryFetch(registry, `/v2/${repository}/blobs/uploads/`, { method: 'POST' }),
    'start upload',
  );
  await started.arrayBuffer();
  const location = new URL(started.headers.get('location'), registry.url ?? `http://${registry.host}`);
  location.searchParams.set('digest', digest);
  const put = await registryFetch(registry, `${location.pathname}${location.search}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: buffer,
  });
  await expectOk(put, `upload blob ${digest}`);
  await put.arrayBuffer();
  return { digest, size: buffer.length };
}

/**
 * Push a minimal image (one empty-ish layer, given labels) over HTTP alone, for checks that need an
 * image in the registry but not a Docker daemon. Returns the manifest digest.
 */
export async function pushMinimalImage(
  registry,
  repository,
  tag,
  { labels = {}, architecture = 'amd64' } = {},
) {
  // An empty gzip stream is a valid (empty) layer tarball for distribution, which does not unpack it.
  const layer = Buffer.from('1f8b08000000000000ff030000000000000000', 'hex');
  const layerBlob = await uploadBlob(registry, repository, layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os: 'linux',
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: [sha256(Buffer.alloc(0))] },
    }),
  );
  const configBlob = await uploadBlob(registry, repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPES.dockerV2,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...configBlob },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layerBlob }],
    }),
  );
  const res = await registryFetch(registry, `/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': MANIFEST_TYPES.dockerV2 },
    body: manifest,
  });
  await expectOk(res, `put manifest ${repository}:${tag}`);
  await res.arrayBuffer();
  return sha256(manifest);
}

/** Every tag of a repository with the manifest digest it holds: `{ tag: digest }` ({} when absent). */
export async function tagDigests(registry, repository) {
  const digests = {};
  for (const tag of (await listTags(registry, repository)).sort()) {
    digests[tag] = (await getManifest(registry, repository, tag))?.digest ?? null;
  }
  return digests;
}

/**
 * The Docker daemon of this file's builder (support/builders.mjs) and a registry, for a test file that
 * builds and pushes. Resolves `{ registry, unavailable, builderInputs, stop() }`: outside CI a missing
 * daemon or registry gives `unavailable` (the reason to skip with); under CI=true it is an error, so CI
 * cannot pass by skipping. `builderInputs` is the `builder` input that selects that builder.
 */
export async function startDockerAndRegistry() {
  const { startBuilder } = await import('./builders.mjs');
  const dockerd = await startBuilder();
  const builderInputs = dockerd.inputs;
  if (!dockerd.available) {
    return { registry: undefined, unavailable: dockerd.reason, builderInputs, stop: dockerd.stop };
  }
  try {
    const registry = await startRegistry();
    return {
      registry,
      unavailable: null,
      builderInputs,
      stop: async () => {
        await registry.close();
        await dockerd.stop();
      },
    };
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    return { registry: undefined, unavailable: err.message, builderInputs, stop: dockerd.stop };
  }
}

/** The requests of a registry started with `accessLog: true`, from line `from` of its log on. */
export function accessLogRequests(registry, from = 0) {
  const lines = readFileSync(registry.logFile, 'utf8').split('\n');
  return lines
    .slice(from)
    .map((line) => /"(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/[\d.]+" (\d{3})/.exec(line))
    .filter(Boolean)
    .map(([, method, url, status]) => ({ method, url, status: Number(status) }));
}

/** How many lines the registry's log has now: a mark for accessLogRequests(). */
export function accessLogMark(registry) {
  return readFileSync(registry.logFile, 'utf8').split('\n').length - 1;
}
