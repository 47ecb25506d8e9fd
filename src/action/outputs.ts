/**
 * The step's outputs and the log lines that go with them: the login (amazon-ecr-login's names where it has
 * them), the tags and labels (docker/metadata-action's), the repository and the build.
 */
import * as core from '@actions/core';
import type { BuildResult } from '../builder/step.js';
import type { ImageMetadata } from '../image/metadata.js';
import { metadataOutputs } from '../image/outputs.js';
import type { LoginPlan } from '../login/plan.js';
import { outputSuffix } from '../login/registries.js';
import type { PushTarget, RepositoryOutcome } from '../repository/step.js';

/** `tags`: the tags left after the repository plan (all of them when no repository is managed). */
function metadataOf(metadata: ImageMetadata, target: PushTarget, digest?: string) {
  return metadataOutputs({
    ...(digest === undefined ? {} : { digest }),
    tags: target.tags,
    ...(metadata.resolution.version === undefined ? {} : { version: metadata.resolution.version }),
    labels: metadata.labels,
    registries: target.registries,
    ...(target.repository === undefined ? {} : { repository: target.repository }),
  });
}

export function writeMetadataOutputs(metadata: ImageMetadata, target: PushTarget): void {
  for (const [name, value] of Object.entries(metadataOf(metadata, target))) core.setOutput(name, value);
}

/** After a push: `json` again, now naming each registry's image by digest (the other outputs stand). */
export function writePushedJson(metadata: ImageMetadata, target: PushTarget, digest: string): void {
  core.setOutput('json', metadataOf(metadata, target, digest).json);
}

export function logMetadata(metadata: ImageMetadata): void {
  const names = metadata.resolution.tags.map((tag) => tag.name);
  core.info(`Tags: ${names.length > 0 ? names.join(', ') : '(none)'}`);
  core.info(`latest: ${metadata.resolution.latest.reason}`);
  for (const [key, value] of Object.entries(metadata.labels)) core.info(`Label ${key}=${value}`);
}

/** The first registry's repository: where a single-registry workflow deploys from. */
export function writeRepositoryOutputs(outcomes: RepositoryOutcome[]): void {
  const first = outcomes[0];
  if (!first) return;
  core.setOutput('repository-uri', first.repository.uri);
  core.setOutput('repository-arn', first.repository.arn);
  core.setOutput('repository-created', String(first.created));
}

export function writeLoginOutputs(plan: LoginPlan, dockerConfigDir: string, maskPassword: boolean): void {
  core.setOutput('registry', plan.registries[0] ?? '');
  core.setOutput('registries', JSON.stringify(plan.registries));
  core.setOutput('docker-config', dockerConfigDir);
  core.setOutput('expires-at', plan.expiresAt.toISOString());
  for (const login of plan.logins) {
    const suffix = outputSuffix(login.host);
    core.setOutput(`docker_username_${suffix}`, login.username);
    // A password output is what a later job needs, but it is a secret: written only when asked for
    // with mask-password: false, as amazon-ecr-login users do to share it between jobs.
    if (!maskPassword) core.setOutput(`docker_password_${suffix}`, login.password);
  }
}

/** `image` is the primary reference: the first pushed one, else the first the image is tagged with. */
export function writeBuildOutputs(build: BuildResult): void {
  const references =
    build.pushed.length > 0 ? build.pushed.map((entry) => entry.reference) : build.references;
  core.setOutput('image', references[0] ?? '');
  core.setOutput('images', references.join('\n'));
  core.setOutput('digest', build.digest ?? '');
  core.setOutput('image-id', build.imageId);
  core.setOutput('imageid', build.imageId);
  core.setOutput('metadata', build.metadata ?? '');
  core.setOutput('digests', build.digests ? JSON.stringify(build.digests) : '');
  core.setOutput('pushed', String(build.pushed.length > 0));
}

/** `notPushed`: why the step does not push at all, when it does not. */
export function logBuildResult(build: BuildResult, notPushed: string | undefined): void {
  if (build.pushed.length === 0) {
    core.info(
      notPushed === undefined
        ? `Nothing was pushed: every tag already holds this image or was skipped (image ${build.imageId}).`
        : `Image ${build.imageId} built; not pushed: ${notPushed}.`,
    );
    return;
  }
  for (const entry of build.pushed) {
    // A push by digest's reference is `repo@digest` already.
    core.info(
      `Pushed ${entry.reference.includes('@') ? entry.reference : `${entry.reference}@${entry.digest}`}`,
    );
  }
  if (build.digests) core.info(`Digests for merge-digests: ${JSON.stringify(build.digests)}`);
}
