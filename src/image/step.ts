/**
 * Resolves what the image is called and labelled, from the git/CI context: before any AWS call, so a tag
 * rule that cannot produce a valid tag fails the step before anything happens.
 */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { readContext, type GitContext } from '../ci-context/github.js';
import type { MetadataInputs } from '../inputs/inputs.js';
import { ociBuildArgs, ociLabels, type Labels } from './labels.js';
import { metadataOutputs } from './outputs.js';
import { resolveTags, type TagResolution } from './tags/resolve.js';
import type { ResolvedTag } from './tags/types.js';

export interface ImageMetadata {
  context: GitContext;
  resolution: TagResolution;
  labels: Labels;
  buildArgs: Record<string, string>;
}

/** The GitHub Actions context; the CLI passes the context of the CI system it runs in instead. */
export function githubContext(env: NodeJS.ProcessEnv = process.env): GitContext {
  return readContext(env, (file) => readFileSync(file, 'utf8'));
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
  return { context, resolution, labels, buildArgs: ociBuildArgs(labels) };
}

/** `tags`: the tags left after the repository plan (all of them when no repository is managed). */
export function writeMetadataOutputs(
  metadata: ImageMetadata,
  tags: ResolvedTag[],
  registries: string[],
  repository?: string,
): void {
  const outputs = metadataOutputs({
    tags,
    ...(metadata.resolution.version === undefined ? {} : { version: metadata.resolution.version }),
    labels: metadata.labels,
    registries,
    ...(repository === undefined ? {} : { repository }),
  });
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

export function logMetadata(metadata: ImageMetadata): void {
  const names = metadata.resolution.tags.map((tag) => tag.name);
  core.info(`Tags: ${names.length > 0 ? names.join(', ') : '(none)'}`);
  core.info(`latest: ${metadata.resolution.latest.reason}`);
  for (const [key, value] of Object.entries(metadata.labels)) core.info(`Label ${key}=${value}`);
}
