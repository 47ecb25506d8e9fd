import { describe, expect, test } from '@jest/globals';
import { RegistryClient, type Fetch } from '../../src/registry/client.js';
import { digestOf } from '../../src/registry/manifests.js';
import { ActionError } from '../../src/shared/errors.js';

const LOGIN = { host: 'registry.example.com', username: 'AWS', password: 'token-value' };
const BASIC = `Basic ${Buffer.from('AWS:token-value').toString('base64')}`;
const MANIFEST = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');

interface Seen {
  method: string;
  url: string;
  authorization: string;
}

/** A registry as a table of answers, recording every request. */
function fakeRegistry(answer: (request: Seen, index: number) => Response): { fetch: Fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch = ((input: string | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const request = {
      method: init?.method ?? 'GET',
      url: String(input),
      authorization: headers.get('authorization') ?? '',
    };
    seen.push(request);
    return Promise.resolve(answer(request, seen.length - 1));
  }) as Fetch;
  return { fetch, seen };
}

describe('RegistryClient', () => {
  test('HTTPS for a registry host, HTTP for loopback (as docker does)', () => {
    expect(new RegistryClient(LOGIN).base).toBe('https://registry.example.com');
    expect(new RegistryClient({ ...LOGIN, host: '127.0.0.1:5000' }).base).toBe('http://127.0.0.1:5000');
    expect(new RegistryClient({ ...LOGIN, host: 'localhost:5000' }).base).toBe('http://localhost:5000');
  });

  test('ECR: Basic auth; the manifest bytes and media type as stored, the digest of those bytes', async () => {
    const { fetch, seen } = fakeRegistry(
      () =>
        new Response(MANIFEST, {
          status: 200,
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json; charset=utf-8' },
        }),
    );
    const manifest = await new RegistryClient(LOGIN, fetch).getManifest('team/app', 'sha-0123456');
    expect(manifest?.bytes.equals(MANIFEST)).toBe(true);
    expect(manifest?.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest?.digest).toBe(digestOf(MANIFEST));
    expect(seen).toEqual([
      {
        method: 'GET',
        url: 'https://registry.example.com/v2/team/app/manifests/sha-0123456',
        authorization: BASIC,
      },
    ]);
  });

  test('a missing manifest is undefined, not an error', async () => {
    const { fetch } = fakeRegistry(() => new Response('{"errors":[]}', { status: 404 }));
    expect(await new RegistryClient(LOGIN, fetch).getManifest('team/app', 'nope')).toBeUndefined();
  });

  test('a Bearer challenge: a token from the realm with the login, scoped to the repository, then the retry', async () => {
    const { fetch, seen } = fakeRegistry((request) => {
      if (request.url.startsWith('https://auth.example.com/')) {
        return Response.json({ token: 'bearer-token' });
      }
      if (request.authorization !== 'Bearer bearer-token') {
        return new Response('', {
          status: 401,
          headers: {
            'www-authenticate':
              'Bearer realm="https://auth.example.com/token",service="registry.example.com"',
          },
        });
      }
      return new Response(MANIFEST, {
        status: 201,
        headers: { 'docker-content-digest': digestOf(MANIFEST) },
      });
    });
    const client = new RegistryClient(LOGIN, fetch);
    const digest = await client.putManifest('team/app', 'prod', {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf(MANIFEST),
      bytes: MANIFEST,
    });
    expect(digest).toBe(digestOf(MANIFEST));
    const token = new URL(seen[1]?.url ?? '');
    expect(token.searchParams.get('service')).toBe('registry.example.com');
    expect(token.searchParams.getAll('scope')).toEqual(['repository:team/app:pull,push']);
    expect(seen[1]?.authorization).toBe(BASIC);
    expect(seen.map((request) => request.method)).toEqual(['PUT', 'GET', 'PUT']);
  });

  test('a 5xx is retried, boundedly; the third answer stands', async () => {
    const { fetch, seen } = fakeRegistry(() => new Response('busy', { status: 503 }));
    await expect(
      new RegistryClient(LOGIN, fetch).hasBlob('team/app', `sha256:${'a'.repeat(64)}`),
    ).rejects.toThrow(/did not check the blob .* \(HTTP 503 busy\)/);
    expect(seen).toHaveLength(3);
  });

  test('a denied write names the permissions, never the password', async () => {
    const { fetch } = fakeRegistry(() => new Response('denied', { status: 403 }));
    const failure = new RegistryClient(LOGIN, fetch).putManifest('team/app', 'prod', {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf(MANIFEST),
      bytes: MANIFEST,
    });
    await expect(failure).rejects.toThrow(ActionError);
    await expect(failure).rejects.toThrow(/ecr:PutImage/);
    await expect(failure).rejects.not.toThrow(/token-value/);
  });

  test('copyBlob: present, mounted from another repository, or uploaded when the mount is refused', async () => {
    const blob = Buffer.from('layer bytes');
    const digest = digestOf(blob);
    const script = (mount: number) =>
      fakeRegistry((request) => {
        if (request.method === 'HEAD') return new Response(null, { status: 404 });
        if (request.method === 'POST') {
          return new Response(null, {
            status: mount,
            headers: { location: '/v2/team/prod/blobs/uploads/1?state=x' },
          });
        }
        if (request.method === 'GET') return new Response(blob, { status: 200 });
        return new Response(null, { status: 201 });
      });
    const mounted = script(201);
    const to = new RegistryClient(LOGIN, mounted.fetch);
    expect(await to.copyBlob('team/prod', digest, { client: to, repository: 'team/app' })).toBe('mounted');
    expect(mounted.seen[1]?.url).toContain(`mount=${encodeURIComponent(digest)}&from=team%2Fapp`);

    const refused = script(202);
    const other = new RegistryClient(LOGIN, refused.fetch);
    expect(await other.copyBlob('team/prod', digest, { client: other, repository: 'team/app' })).toBe(
      'uploaded',
    );
    const put = refused.seen.find((request) => request.method === 'PUT');
    expect(put?.url).toBe(
      `https://registry.example.com/v2/team/prod/blobs/uploads/1?state=x&digest=${encodeURIComponent(digest)}`,
    );
  });
});
