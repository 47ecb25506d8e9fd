/**
 * Which untagged images `cleanup: untagged` may delete: pure. An untagged image is not always clutter:
 * the platform manifests of a multi-platform index are untagged, and so are the signatures, SBOMs and
 * attestations that point at an image through their `subject` (OCI 1.1 referrers). Deleting those breaks
 * the index or loses the proof. So everything reachable from a tagged image is kept, and only the rest
 * goes: untagged images nothing kept refers to, and referrers whose subject is itself going (or gone).
 */
import { parseManifest } from '../registry/manifests.js';

/** One image of the repository, as DescribeImages and its manifest describe it. */
export interface ImageFacts {
  digest: string;
  tags: string[];
  /** The manifests an index lists (empty for an image manifest). */
  children: string[];
  /** The image a referrer (signature, SBOM, attestation) is about: its manifest's `subject`. */
  subject?: string;
}

export interface CleanupPlan {
  /** Untagged, and referred to by nothing kept: deleted. Orphaned referrers are among them. */
  remove: string[];
  /** Untagged, but a child of a kept index. */
  keptChildren: string[];
  /** Untagged, but a referrer of a kept image. */
  keptReferrers: string[];
  /** Referrers whose subject is deleted here or already gone: deleted with the rest. */
  orphanedReferrers: string[];
}

export function planCleanup(images: readonly ImageFacts[]): CleanupPlan {
  const byDigest = new Map(images.map((image) => [image.digest, image]));
  const kept = new Set(images.filter((image) => image.tags.length > 0).map((image) => image.digest));
  const keptChildren = new Set<string>();
  const keptReferrers = new Set<string>();
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
      } else if (image.subject !== undefined && kept.has(image.subject)) {
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
export function manifestLinks(manifestText: string | undefined): { children: string[]; subject?: string } {
  const parsed = parseManifest(manifestText);
  const manifests = Array.isArray(parsed.manifests) ? (parsed.manifests as { digest?: unknown }[]) : [];
  const children = manifests
    .map((entry) => entry.digest)
    .filter((digest): digest is string => typeof digest === 'string');
  const subject = (parsed.subject as { digest?: unknown } | undefined)?.digest;
  return { children, ...(typeof subject === 'string' ? { subject } : {}) };
}
