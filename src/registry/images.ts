/**
 * Images moved over the registry API, with no docker daemon: the children a merge puts in an index, an
 * image (and an index's children) copied into another repository or registry, tags written as the exact
 * bytes of a manifest, and the platforms of what a push-by-digest left. Adapter over client.ts.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ActionError } from '../shared/errors.js';
import type { RegistryClient } from './client.js';
import {
  blobsOf,
  configDigestOf,
  digestOf,
  indexEntries,
  isAttestation,
  isIndex,
  platformOfConfig,
  platformText,
  type Descriptor,
  type DigestEntry,
  type ManifestBytes,
  type Platform,
} from './manifests.js';

/** What a copy did, for the log: a promotion within one registry should mount or find every blob. */
export interface CopyCount {
  present: number;
  mounted: number;
  uploaded: number;
}

export function emptyCount(): CopyCount {
  return { present: 0, mounted: 0, uploaded: 0 };
}

async function platformOf(client: RegistryClient, repository: string, manifest: ManifestBytes) {
  const config = configDigestOf(manifest.bytes);
  return config === undefined ? undefined : platformOfConfig(await client.getBlob(repository, config));
}

function missingChild(client: RegistryClient, repository: string, digest: string): ActionError {
  return new ActionError(
    `merge-digests: ${client.login.host}/${repository} has no manifest ${digest}. ` +
      'Fix: check that the push-by-digest job of that platform pushed to this registry and repository, and ran before this one.',
  );
}

/** Every digest of `entries` is a manifest of `repository` (HEAD only); the first missing one fails. */
export async function requireManifests(
  client: RegistryClient,
  repository: string,
  entries: DigestEntry[],
): Promise<void> {
  for (const entry of entries) {
    if (!(await client.hasManifest(repository, entry.digest)))
      throw missingChild(client, repository, entry.digest);
  }
}

/**
 * The index entries for `entries`, read from `repository`: an image manifest with the platform its
 * config names, an index's own image entries (a multi-platform push by digest). A digest the repository
 * lacks fails with the digest and the registry named.
 */
export async function readChildren(
  client: RegistryClient,
  repository: string,
  entries: DigestEntry[],
): Promise<Descriptor[]> {
  const children: Descriptor[] = [];
  for (const entry of entries) {
    const manifest = await client.getManifest(repository, entry.digest);
    if (manifest === undefined) throw missingChild(client, repository, entry.digest);
    if (isIndex(manifest.mediaType)) {
      children.push(...indexEntries(manifest).filter((child) => !isAttestation(child)));
      continue;
    }
    const platform = await platformOf(client, repository, manifest);
    children.push({
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: manifest.bytes.length,
      ...(platform ? { platform } : {}),
    });
  }
  return children;
}

/**
 * Makes `manifest` (and, for an index, every child) present in `to` by digest: blobs mounted across
 * repositories of one registry, uploaded between registries. Nothing moves that is there already.
 */
export async function copyImage(
  from: { client: RegistryClient; repository: string },
  to: { client: RegistryClient; repository: string },
  manifest: ManifestBytes,
  count: CopyCount,
): Promise<void> {
  if (isIndex(manifest.mediaType)) {
    for (const child of indexEntries(manifest)) {
      const childManifest = await from.client.getManifest(from.repository, child.digest);
      if (childManifest === undefined) {
        throw new ActionError(
          `${from.client.login.host}/${from.repository} lists ${child.digest} in ${manifest.digest} but does not hold it: the source image is incomplete.`,
        );
      }
      await copyImage(from, to, childManifest, count);
    }
  } else {
    for (const blob of blobsOf(manifest)) count[await to.client.copyBlob(to.repository, blob, from)] += 1;
  }
  await to.client.putManifest(to.repository, manifest.digest, manifest);
}

/** Writes the exact bytes of `manifest` under each tag: the digest stays the same. */
export async function tagManifest(
  client: RegistryClient,
  repository: string,
  tags: string[],
  manifest: ManifestBytes,
): Promise<void> {
  for (const tag of tags) {
    const digest = await client.putManifest(repository, tag, manifest);
    if (digest !== manifest.digest) {
      throw new ActionError(
        `${client.login.host}/${repository}:${tag} was stored as ${digest}, not ${manifest.digest}: the registry rewrote the manifest.`,
      );
    }
  }
}

/** A blob of an OCI image layout directory, checked against its digest as it is read. */
async function layoutBlob(layoutDir: string, digest: string): Promise<Buffer> {
  const [algorithm, hex] = digest.split(':');
  const bytes = await fs.readFile(path.join(layoutDir, 'blobs', algorithm ?? '', hex ?? ''));
  if (digestOf(bytes) !== digest)
    throw new ActionError(`The build's OCI layout holds a corrupt blob ${digest}.`);
  return bytes;
}

/**
 * Pushes the image of an OCI image layout (what `--output=type=oci,tar=false` wrote) by digest: blobs the
 * repository lacks, then each manifest by its digest, children before their index. No tag is written.
 * Resolves the digest of the image (the layout's one top manifest).
 */
export async function pushLayout(
  client: RegistryClient,
  repository: string,
  layoutDir: string,
  count: CopyCount,
): Promise<string> {
  const top = await layoutTop(layoutDir);
  const push = async (descriptor: Descriptor): Promise<void> => {
    const bytes = await layoutBlob(layoutDir, descriptor.digest);
    const manifest = { mediaType: descriptor.mediaType, digest: descriptor.digest, bytes };
    if (isIndex(manifest.mediaType)) {
      for (const child of indexEntries(manifest)) await push(child);
    } else {
      for (const blob of blobsOf(manifest)) {
        count[await client.putBlob(repository, blob, await layoutBlob(layoutDir, blob))] += 1;
      }
    }
    await client.putManifest(repository, manifest.digest, manifest);
  };
  await push(top);
  return top.digest;
}

/** The one image an OCI layout holds: the first entry of its index.json. */
async function layoutTop(layoutDir: string): Promise<Descriptor> {
  const top = indexEntries({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: '',
    bytes: await fs.readFile(path.join(layoutDir, 'index.json')),
  })[0];
  if (top === undefined) throw new ActionError("The build's OCI layout lists no image.");
  return top;
}

/**
 * The `digests` output of a push by digest, read from the layout that was pushed (no registry round
 * trip): each platform's image of an index, or the one image with the platform its config names.
 */
export async function layoutPlatforms(layoutDir: string): Promise<DigestEntry[]> {
  const top = await layoutTop(layoutDir);
  const manifest = {
    mediaType: top.mediaType,
    digest: top.digest,
    bytes: await layoutBlob(layoutDir, top.digest),
  };
  const entry = (digest: string, platform: Platform | undefined): DigestEntry => ({
    digest,
    ...(platform ? { platform: platformText(platform) } : {}),
  });
  if (isIndex(manifest.mediaType)) {
    return indexEntries(manifest)
      .filter((child) => !isAttestation(child))
      .map((child) => entry(child.digest, child.platform));
  }
  const config = configDigestOf(manifest.bytes);
  return [
    entry(
      top.digest,
      config === undefined ? undefined : platformOfConfig(await layoutBlob(layoutDir, config)),
    ),
  ];
}
