/**
 * The registry's own HTTP API (OCI distribution), for what needs no docker daemon: reading a manifest,
 * writing the same bytes under another tag, and copying blobs between repositories. Adapter: every call
 * is bounded by a timeout, and the password only ever goes into an Authorization header.
 *
 * ECR answers this API with Basic auth (`AWS:<token>`); other registries challenge for a Bearer token,
 * which is fetched from their realm with the same credentials. A loopback registry is spoken to over
 * plain HTTP, as docker does; every other one over HTTPS.
 */
import { ActionError } from '../shared/errors.js';
import { digestOf, MANIFEST_TYPES, mediaTypeIn } from './manifests.js';

export interface RegistryLogin {
  host: string;
  username: string;
  password: string;
}

export interface Manifest {
  mediaType: string;
  digest: string;
  /** The exact bytes the registry holds: re-putting them keeps the digest. */
  bytes: Buffer;
}

const TIMEOUT_MS = 60_000;
const ATTEMPTS = 3;

export type Fetch = typeof fetch;

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** `Bearer realm="…",service="…",scope="…"` as a record. */
function challengeOf(header: string | null): Record<string, string> | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const fields: Record<string, string> = {};
  for (const [, key, value] of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) {
    if (key !== undefined && value !== undefined) fields[key] = value;
  }
  return fields.realm ? fields : undefined;
}

export class RegistryClient {
  readonly base: string;
  private readonly basic: string;
  private bearer: string | undefined;

  constructor(
    readonly login: RegistryLogin,
    private readonly fetchImpl: Fetch = fetch,
  ) {
    this.base = `${isLoopback(login.host) ? 'http' : 'https'}://${login.host}`;
    this.basic = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  }

  /** The manifest `reference` (a tag or a digest) of `repository`, as stored; undefined when it has none. */
  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const response = await this.request('GET', `/v2/${repository}/manifests/${reference}`, repository, {
      headers: { Accept: MANIFEST_TYPES.join(', ') },
    });
    if (response.status === 404) return undefined;
    await this.expect(response, [200], `read the manifest ${repository}:${reference}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    return {
      mediaType: mediaType || (mediaTypeIn(bytes) ?? 'application/vnd.oci.image.manifest.v1+json'),
      digest: digestOf(bytes),
      bytes,
    };
  }

  /** Stores `bytes` as the manifest `reference` (a tag, or its digest). Resolves the digest it is known by. */
  async putManifest(repository: string, reference: string, manifest: Manifest): Promise<string> {
    const response = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, repository, {
      headers: { 'Content-Type': manifest.mediaType },
      body: manifest.bytes,
      write: true,
    });
    await this.expect(response, [201, 200], `write the manifest ${repository}:${reference}`);
    return response.headers.get('docker-content-digest') ?? manifest.digest;
  }

  async hasManifest(repository: string, reference: string): Promise<boolean> {
    const response = await this.request('HEAD', `/v2/${repository}/manifests/${reference}`, repository, {
      headers: { Accept: MANIFEST_TYPES.join(', ') },
    });
    if (response.status === 404) return false;
    await this.expect(response, [200], `check the manifest ${repository}:${reference}`);
    return true;
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const response = await this.request('GET', `/v2/${repository}/blobs/${digest}`, repository);
    await this.expect(response, [200], `read the blob ${digest} of ${repository}`);
    return Buffer.from(await response.arrayBuffer());
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, repository);
    if (response.status === 404) return false;
    await this.expect(response, [200], `check the blob ${digest} of ${repository}`);
    return true;
  }

  /** Uploads `bytes` as the blob `digest` unless the repository has it. Resolves what happened. */
  async putBlob(repository: string, digest: string, bytes: Buffer): Promise<'present' | 'uploaded'> {
    if (await this.hasBlob(repository, digest)) return 'present';
    await this.upload(repository, digest, bytes, null);
    return 'uploaded';
  }

  /**
   * Makes `digest` a blob of `repository`, taking it from `from` in the same registry: mounted when the
   * registry allows it (no bytes move), else read and uploaded. Resolves how it got there.
   */
  async copyBlob(
    repository: string,
    digest: string,
    from: { client: RegistryClient; repository: string },
  ): Promise<'present' | 'mounted' | 'uploaded'> {
    if (await this.hasBlob(repository, digest)) return 'present';
    let location: string | null = null;
    if (from.client.login.host === this.login.host) {
      const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.repository)}`;
      const response = await this.request('POST', `/v2/${repository}/blobs/uploads/?${query}`, repository, {
        write: true,
        mountFrom: from.repository,
      });
      if (response.status === 201) return 'mounted';
      await this.expect(response, [202], `mount the blob ${digest} into ${repository}`);
      location = response.headers.get('location');
    }
    const bytes = await from.client.getBlob(from.repository, digest);
    await this.upload(repository, digest, bytes, location);
    return 'uploaded';
  }

  /** A monolithic upload: POST for a location (unless a refused mount gave one), then PUT the bytes. */
  private async upload(repository: string, digest: string, bytes: Buffer, started: string | null) {
    let location = started;
    if (location === null) {
      const started = await this.request('POST', `/v2/${repository}/blobs/uploads/`, repository, {
        write: true,
      });
      await this.expect(started, [202], `start an upload into ${repository}`);
      location = started.headers.get('location');
    }
    if (!location) throw new ActionError(`${this.login.host} started an upload without a Location header.`);
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    const done = await this.request('PUT', url.toString(), repository, {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
      write: true,
    });
    await this.expect(done, [201], `upload the blob ${digest} into ${repository}`);
  }

  private async request(
    method: string,
    pathOrUrl: string,
    repository: string,
    options: { headers?: Record<string, string>; body?: Buffer; write?: boolean; mountFrom?: string } = {},
  ): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const send = (authorization: string) =>
      this.fetchImpl(url, {
        method,
        headers: { ...options.headers, Authorization: authorization },
        ...(options.body ? { body: new Uint8Array(options.body) } : {}),
        redirect: 'follow',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    let lastError: unknown;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      try {
        let response = await send(this.bearer ?? this.basic);
        const challenge =
          response.status === 401 ? challengeOf(response.headers.get('www-authenticate')) : undefined;
        if (challenge) {
          const actions = options.write ? 'pull,push' : 'pull';
          const scopes = [`repository:${repository}:${actions}`];
          if (options.mountFrom) scopes.push(`repository:${options.mountFrom}:pull`);
          this.bearer = await this.token(challenge, scopes);
          response = await send(this.bearer);
        }
        // A registry's 5xx is often a moment's trouble; a manifest write is safe to repeat.
        if (response.status >= 500 && attempt < ATTEMPTS) {
          await pause(attempt);
          continue;
        }
        return response;
      } catch (error) {
        lastError = error;
        if (attempt < ATTEMPTS) await pause(attempt);
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new ActionError(
      `The registry ${this.login.host} could not be reached (${method} ${new URL(url).pathname}: ${reason}): check the runner's network and proxy.`,
    );
  }

  private async token(challenge: Record<string, string>, scopes: string[]): Promise<string> {
    const url = new URL(challenge.realm ?? '');
    if (challenge.service) url.searchParams.set('service', challenge.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const response = await this.fetchImpl(url, {
      headers: { Authorization: this.basic },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) {
      throw new ActionError(
        `${this.login.host} refused a token for ${scopes.join(' ')} (HTTP ${response.status}): check the login's permissions.`,
      );
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new ActionError(`${this.login.host}'s token service answered without a token.`);
    return `Bearer ${token}`;
  }

  private async expect(response: Response, ok: number[], what: string): Promise<void> {
    if (ok.includes(response.status)) return;
    const text = (await response.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' ');
    const fix =
      response.status === 401 || response.status === 403
        ? 'the login may not do this: it needs pull (and push to write) on the repository, ecr:BatchGetImage and ecr:PutImage on ECR'
        : response.status === 404
          ? 'check the repository name and that it exists in this registry'
          : 'try again; if it persists, check the registry';
    throw new ActionError(`${this.login.host} did not ${what} (HTTP ${response.status} ${text}): ${fix}.`);
  }
}

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
}
