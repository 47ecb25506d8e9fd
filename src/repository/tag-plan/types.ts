/** The tag plan's types: existing images, the new image, and what happens to each tag. */
import type { TagMutabilitySetting } from '../policies/tag-mutability.js';
import type { ResolvedTag } from '../../image/tags/types.js';

/** What to do with a moving tag (latest, branch, floating version) that the repository keeps immutable. */
export type OnImmutable = 'skip' | 'fail';

/** An image already in the repository, as DescribeImages lists it (all pages). */
export interface ExistingImage {
  /** The manifest digest. */
  digest: string;
  /** The image config's digest, when the adapter fetched it: equal configs mean the same image content. */
  configDigest?: string;
  tags: string[];
}

/** The image about to be pushed; either digest may still be unknown before the build. */
export interface NewImage {
  digest?: string;
  configDigest?: string;
}

export interface TagPlanInput {
  tags: ResolvedTag[];
  /** The repository's tag mutability (with its exclusion filters). */
  tagMutability: TagMutabilitySetting;
  images: ExistingImage[];
  image: NewImage;
  onImmutable: OnImmutable;
  /** The `latest` input is `auto`: a pre-release then never takes `latest`. Older releases never do, whatever the setting. */
  latestAuto: boolean;
}

export interface TagToPush {
  tag: ResolvedTag;
  /** The digest the tag points at now, when pushing moves it. */
  replaces?: string;
  /**
   * The tag exists and is immutable, and the new image's digest is not known yet: plan again once it is
   * built, or the push fails if it is a different image.
   */
  checkAfterBuild?: true;
}

export interface UnchangedTag {
  tag: ResolvedTag;
  /** The digest the tag already holds: the image being pushed. */
  digest: string;
}

export interface SkippedTag {
  tag: ResolvedTag;
  /** One sentence for the log: why, and how to change it. */
  reason: string;
}

export interface TagPlan {
  push: TagToPush[];
  unchanged: UnchangedTag[];
  skipped: SkippedTag[];
}
