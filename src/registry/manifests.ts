/**
 * Manifests as values: the image index a merge writes, the platform of an image, the blobs a copy needs,
 * the `merge-digests` list and registry references. Pure.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../shared/errors.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const INDEX_TYPES = [OCI_INDEX, 'application/vnd.docker.distribution.manifest.list.v2+json'];
/**
 * Every manifest form a registry (and ECR) may hold. Asking for all of them gets each manifest as it was
 * pushed: without an index type in the list, a registry may answer an index with one of its platforms.
 */
export const MANIFEST_TYPES = [
  OCI_INDEX,
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A manifest as an index lists it. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** One entry of `merge-digests`, or of the `digests` output. */
export interface DigestEntry {
  digest: string;
  platform?: string;
}

export interface ManifestBytes {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isIndex(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType);
}

export function platformText(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** The platform an image config names (`os`, `architecture`, `variant`). */
export function platformOfConfig(config: Buffer): Platform | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(config.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { os, architecture, variant } = parsed;
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return { os, architecture, ...(typeof variant === 'string' && variant !== '' ? { variant } : {}) };
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A manifest's JSON as a record; {} for text that is not a JSON object (or no text). */
export function parseManifest(manifest: string | Buffer | undefined): Record<string, unknown> {
  if (manifest === undefined) return {};
  try {
    const parsed = JSON.parse(manifest.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** An index's entries, as it lists them. */
export function indexEntries(manifest: ManifestBytes): Descriptor[] {
  const manifests = parseManifest(manifest.bytes).manifests;
  return Array.isArray(manifests) ? (manifests as Descriptor[]) : [];
}

/** BuildKit lists an attestation manifest as platform unknown/unknown: not an image anyone runs. */
export function isAttestation(entry: Descriptor): boolean {
  return (
    entry.platform?.os === 'unknown' ||
    entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
  );
}

/** The media type a manifest names itself (for a registry or API answer that gives none). */
export function mediaTypeIn(manifest: string | Buffer | undefined): string | undefined {
  const { mediaType } = parseManifest(manifest);
  return typeof mediaType === 'string' ? mediaType : undefined;
}

/** The config and layer digests of an image manifest: what a copy into another repository needs. */
export function blobsOf(manifest: ManifestBytes): string[] {
  const parsed = parseManifest(manifest.bytes);
  const config = (parsed.config as { digest?: string } | undefined)?.digest;
  const layers = Array.isArray(parsed.layers) ? (parsed.layers as { digest?: string }[]) : [];
  return [config, ...layers.map((layer) => layer.digest)].filter(
    (digest): digest is string => typeof digest === 'string' && DIGEST.test(digest),
  );
}

/** The config digest of an image manifest; undefined for an index, or text that is not a manifest. */
export function configDigestOf(manifest: string | Buffer | undefined): string | undefined {
  const digest = (parseManifest(manifest).config as { digest?: unknown } | undefined)?.digest;
  return typeof digest === 'string' && DIGEST.test(digest) ? digest : undefined;
}

/**
 * The image index over `children`, in a fixed order (by platform, then digest) so the same children
 * always give the same bytes and digest, whichever job finished first: a re-run into an immutable tag
 * is then the same image.
 */
export function imageIndex(children: Descriptor[], annotations: Record<string, string>): ManifestBytes {
  const key = (entry: Descriptor) => `${entry.platform ? platformText(entry.platform) : '~'} ${entry.digest}`;
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

function entryOf(value: unknown, where: string): DigestEntry {
  if (typeof value === 'string') {
    if (!DIGEST.test(value.trim()))
      throw new InputError('merge-digests', where, 'expected sha256:<64 hex digits>');
    return { digest: value.trim() };
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const digest = typeof record.digest === 'string' ? record.digest : '';
  if (!DIGEST.test(digest)) {
    throw new InputError(
      'merge-digests',
      where,
      'expected {"digest": "sha256:…", "platform": "os/arch"} entries',
    );
  }
  return { digest, ...(typeof record.platform === 'string' ? { platform: record.platform } : {}) };
}

/**
 * `merge-digests`: `sha256:` digests (commas or lines), or the `digests` JSON of several push-by-digest
 * jobs (one array, or one array per line). Duplicates collapse; an empty list is an error.
 */
export function parseMergeDigests(text: string): DigestEntry[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const entries: DigestEntry[] = [];
  const add = (entry: DigestEntry) => {
    if (!entries.some((known) => known.digest === entry.digest)) entries.push(entry);
  };
  const parseJson = (piece: string): boolean => {
    try {
      const parsed = JSON.parse(piece) as unknown;
      for (const value of Array.isArray(parsed) ? parsed : [parsed]) add(entryOf(value, piece));
      return true;
    } catch (error) {
      if (error instanceof InputError) throw error;
      return false;
    }
  };
  if ((trimmed.startsWith('[') || trimmed.startsWith('{')) && parseJson(trimmed)) return entries;
  for (const line of trimmed
    .split('\n')
    .map((text) => text.trim())
    .filter(Boolean)) {
    if (line.startsWith('[') || line.startsWith('{')) {
      if (!parseJson(line)) throw new InputError('merge-digests', line, 'this line is not valid JSON');
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

export interface RegistryReference {
  host: string;
  repository: string;
  /** A tag, or a `sha256:` digest. */
  reference: string;
}

/**
 * `host/repository:tag` or `host/repository@sha256:…`, where the first part is a registry host (it has a
 * dot or a port, or is localhost). Undefined for a local image name such as `app:ci`.
 */
export function parseRegistryReference(text: string): RegistryReference | undefined {
  const slash = text.indexOf('/');
  if (slash <= 0) return undefined;
  const host = text.slice(0, slash);
  if (!/[.:]/.test(host) && host !== 'localhost') return undefined;
  const rest = text.slice(slash + 1);
  const at = rest.indexOf('@');
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    const repository = rest.slice(0, at).replace(/:[^/]*$/, '');
    return DIGEST.test(digest) && repository !== '' ? { host, repository, reference: digest } : undefined;
  }
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || rest.slice(colon).includes('/')) return { host, repository: rest, reference: 'latest' };
  return { host, repository: rest.slice(0, colon), reference: rest.slice(colon + 1) };
}
