/**
 * What the image is called and labelled, from the git/CI context. Pure, and run before any AWS call, so a
 * tag rule that cannot produce a valid tag fails the step before anything happens.
 */
import type { GitContext } from './git-context.js';
import { ociBuildArgs, ociLabels, sourceDateEpoch, type CreatedSetting, type Labels } from './labels.js';
import type { LatestSetting } from './tags/latest.js';
import { resolveTags, type TagResolution } from './tags/resolve.js';
import type { TagRule } from './tags/rules.js';

/** What to call the image: the tag rules, `latest`, and the labels. */
export interface MetadataInputs {
  /** ECR repository name (team/app); undefined: the `tags` output holds bare tag names. */
  repository?: string;
  tagRules: TagRule[];
  latest: LatestSetting;
  labelOverrides: Map<string, string>;
  created: CreatedSetting;
}

export interface ImageMetadata {
  context: GitContext;
  resolution: TagResolution;
  labels: Labels;
  buildArgs: Record<string, string>;
  /** The reproducible time BuildKit stamps the image with (SOURCE_DATE_EPOCH); undefined: the run's. */
  sourceDateEpoch?: number;
}

export function resolveImageMetadata(inputs: MetadataInputs, context: GitContext, now: Date): ImageMetadata {
  const resolution = resolveTags(inputs.tagRules, context, { latest: inputs.latest, now });
  const labels = ociLabels({
    context,
    ...(resolution.version === undefined ? {} : { version: resolution.version }),
    ...(resolution.tags[0] ? { primaryTag: resolution.tags[0].name } : {}),
    created: inputs.created,
    now,
    overrides: inputs.labelOverrides,
  });
  const epoch = sourceDateEpoch(inputs.created, context);
  return {
    context,
    resolution,
    labels,
    buildArgs: ociBuildArgs(labels),
    ...(epoch === undefined ? {} : { sourceDateEpoch: epoch }),
  };
}
