/** Whether a tag already holds the image being pushed: by manifest digest, else by config digest. Pure. */
import type { ExistingImage, NewImage } from './types.js';

/**
 * Whether the image under a tag is the one about to be pushed. Equal configs mean equal content even when
 * the manifests differ (a rebuild that only changed annotations); without configs, the manifest digest
 * decides. Undefined when neither side can be compared yet.
 */
export function isSameImage(existing: ExistingImage, image: NewImage): boolean | undefined {
  if (image.configDigest !== undefined && existing.configDigest !== undefined) {
    return image.configDigest === existing.configDigest;
  }
  if (image.digest !== undefined) return image.digest === existing.digest;
  return undefined;
}

/** `sha256:0123456789ab`: enough of a digest to recognise it in a message. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest.slice(0, 12) : `${algorithm ?? ''}:${hex.slice(0, 12)}`;
}
