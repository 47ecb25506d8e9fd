/**
 * The main step: orchestration only. Inputs → tags and labels → builder check → login (tokens, docker
 * config) → repository and tag plan → build → settle the plan → push → outputs and job summary. Each stage
 * lives in its own folder; this file decides the order and what each stage is handed.
 */
import * as core from '@actions/core';
import * as os from 'node:os';
import * as path from 'node:path';
import { redactProxy } from '../aws/proxy.js';
import { refuseSecretsInImage } from '../builder/secret-guard.js';
import { decidePush, type PushDecision } from '../builder/push-decision.js';
import {
  buildImage,
  buildResultOf,
  chooseBuilder,
  describeBuilder,
  existingCommitImage,
  skipExistingTag,
  newImageOf,
  pushedByBuild,
  pushImages,
  type Builder,
  type BuildContext,
  type BuildResult,
  type PushedReference,
} from '../builder/step.js';
import { readGitHubContext } from '../ci-context/github.js';
import { storeCredentials } from '../docker-config/credentials-store.js';
import { prepareConfigDir } from '../docker-config/location.js';
import { compactPolicy, iamPolicyText, repositoryRefs } from '../iam/for-inputs.js';
import type { GitContext } from '../image/git-context.js';
import { resolveImageMetadata, type ImageMetadata } from '../image/metadata.js';
import { getInputs } from '../inputs/inputs.js';
import type { Inputs } from '../inputs/types.js';
import type { LoginPlan } from '../login/plan.js';
import { fetchLoginPlan, maskSecrets } from '../login/step.js';
import {
  checkLambdaImages,
  scanImages,
  ScanGateError,
  waitForReplicas,
  logOutcome,
  manageRepositories,
  pushTargetOf,
  settleOutcomes,
  type PushTarget,
  type RepositoryOutcome,
} from '../repository/step.js';
import { ActionError, InputError, NoCredentialsError } from '../shared/errors.js';
import type { ResolvedTag } from '../image/tags/types.js';
import type { ScanGate } from '../repository/scan-gate.js';
import {
  logBuildResult,
  logMetadata,
  writeBuildOutputs,
  writeLoginOutputs,
  writeMetadataOutputs,
  writePushedJson,
  writeRepositoryOutputs,
} from './outputs.js';
import { Phases } from './phases.js';
import { markMainStarted, saveCleanup, saveIsolatedDir, saveSkipLogout, undoFileWriter } from './state.js';
import { writeJobSummary, writeScanSummary } from './summary.js';

function awsSettings(inputs: Inputs) {
  return { maxAttempts: inputs.maxAttempts, ...(inputs.proxy ? { proxy: inputs.proxy } : {}) };
}

/** Creates or updates the repository in every registry and plans the tags against it. */
async function manageRepository(
  inputs: Inputs,
  plan: LoginPlan,
  image: ImageMetadata,
  phases: Phases,
): Promise<RepositoryOutcome[]> {
  const name = inputs.metadata.repository;
  if (name === undefined || plan.targets.length === 0) return [];
  return phases.run('Repository and tag plan', async () => {
    const outcomes = await manageRepositories(plan.targets, {
      name,
      management: inputs.management,
      tags: image.resolution.tags,
      latestAuto: inputs.metadata.latest.kind === 'auto',
      ...awsSettings(inputs),
      policyFor: () => compactPolicy(inputs, repositoryRefs(inputs, plan.accounts)),
    });
    outcomes.forEach(logOutcome);
    return outcomes;
  });
}

/** IAM ARNs with the accounts the API named (the caller's own registry has no ID in the inputs). */
function refsAfterLogin(inputs: Inputs, plan: LoginPlan, outcomes: RepositoryOutcome[]) {
  const accounts = new Map(plan.accounts);
  for (const outcome of outcomes) accounts.set(outcome.region, outcome.repository.registryId);
  return repositoryRefs(inputs, accounts);
}

/** Logs in and writes the docker config; undefined when a build that is not pushed has no credentials. */
async function logIn(inputs: Inputs, decision: PushDecision | undefined): Promise<LoginPlan | undefined> {
  let loginPlan: LoginPlan;
  try {
    loginPlan = await fetchLoginPlan({
      registryType: inputs.registryType,
      registries: inputs.registries,
      settings: awsSettings(inputs),
      policyFor: () => compactPolicy(inputs, repositoryRefs(inputs)),
    });
  } catch (error) {
    if (!(error instanceof NoCredentialsError) || decision?.withoutCredentials !== 'build-only') throw error;
    core.warning(
      'No AWS credentials (as in a pull request from a fork): the image is built without logging in or pushing. ' +
        'A FROM image in a private ECR repository cannot be pulled this way.',
    );
    return undefined;
  }
  maskSecrets(loginPlan, inputs.maskPassword);

  const dir = await prepareConfigDir(inputs.dockerConfig);
  if (inputs.dockerConfig.kind === 'isolated') {
    if (!inputs.skipLogout) saveIsolatedDir(dir);
    // buildx keeps its builders (docker/setup-buildx-action's among them) under DOCKER_CONFIG/buildx
    // unless BUILDX_CONFIG says otherwise: a fresh DOCKER_CONFIG must not hide them from this step's
    // build or from later steps.
    const buildxConfig = keptBuildxConfig(process.env);
    if (buildxConfig !== undefined) core.exportVariable('BUILDX_CONFIG', buildxConfig);
    core.exportVariable('DOCKER_CONFIG', dir);
  }
  const persist = inputs.skipLogout ? async () => {} : undoFileWriter(process.env.RUNNER_TEMP);
  await storeCredentials(dir, loginPlan.logins, persist);

  writeLoginOutputs(loginPlan, dir, inputs.maskPassword);
  core.info(
    `Logged in to ${loginPlan.registries.join(', ')} (docker config ${dir}; ` +
      `tokens valid until ${loginPlan.expiresAt.toISOString()}).`,
  );
  return loginPlan;
}

/** Where buildx's state is before the config moves: BUILDX_CONFIG if set (then kept as it is), else the old config's. */
function keptBuildxConfig(env: NodeJS.ProcessEnv): string | undefined {
  if (env.BUILDX_CONFIG) return undefined;
  return path.join(env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker'), 'buildx');
}

function saveCleanupState(inputs: Inputs, plan: LoginPlan, refs: ReturnType<typeof repositoryRefs>): void {
  saveCleanup({
    targets: plan.targets.map(({ spec, host }) => ({
      region: spec.region,
      fips: spec.fips,
      ...(spec.accountId ? { registryId: spec.accountId } : {}),
      name: inputs.metadata.repository ?? '',
      host,
    })),
    dryRun: inputs.management.cleanupDryRun,
    maxAttempts: inputs.maxAttempts,
    policy: compactPolicy(inputs, refs),
  });
  core.info('cleanup: untagged images are removed by the post step, once the job has pushed.');
}

type Settle = { inputs: Inputs; refs: ReturnType<typeof repositoryRefs> };

/** Build and push, through the scan gate when there is one. */
async function buildAndPush(context: BuildContext, phases: Phases, settle: Settle): Promise<BuildResult> {
  const gate = context.inputs.scanGate;
  if (gate === undefined || !context.push) return buildAndPushNow(context, phases, settle);
  if (context.builder.kind === 'promote') {
    core.info('Scan gate: a promoted image is not scanned again: it was gated when it was first pushed.');
    return buildAndPushNow(context, phases, settle);
  }
  return gatedBuildAndPush(context, gate, phases, settle);
}

/** The plan with only the tags `keep` accepts: what is pushed before the scan gate. */
function withTagsOnly(
  target: BuildContext['target'],
  keep: (tag: ResolvedTag) => boolean,
): BuildContext['target'] {
  return {
    ...target,
    tags: target.tags.filter(keep),
    outcomes: target.outcomes.map((outcome) => ({
      ...outcome,
      plan: { ...outcome.plan, push: outcome.plan.push.filter((entry) => keep(entry.tag)) },
    })),
  };
}

/**
 * The scan gate: the image reaches the registries first without the tags the gate holds back (by digest
 * with buildx; under its fixed tags with the classic builder or a local source image, which docker can
 * only push by tag; a merge's children are there already), is scanned, and is only tagged if it passes.
 */
async function gatedBuildAndPush(
  context: BuildContext,
  gate: ScanGate,
  phases: Phases,
  settle: Settle,
): Promise<BuildResult> {
  const { target } = context;
  const byDigest = context.builder.kind === 'buildx';
  let first: BuildResult | undefined;
  let scanned: string[];
  let digest: string | undefined;
  if (context.builder.kind === 'merge') {
    scanned = context.builder.entries.map((entry) => entry.digest);
  } else {
    const firstContext: BuildContext = byDigest
      ? { ...context, inputs: { ...context.inputs, pushByDigest: true } }
      : { ...context, target: withTagsOnly(target, (tag) => !tag.moving) };
    first = await buildAndPushNow(firstContext, phases, settle);
    digest = first.digest;
    if (digest === undefined)
      throw new ActionError('The scan gate has no digest to scan: the image reached no registry.');
    scanned = byDigest && first.digests ? first.digests.map((entry) => entry.digest) : [digest];
  }
  try {
    const verdict = await phases.run('Scan gate', () =>
      scanImages(target.outcomes, scanned, gate, {
        ...awsSettings(settle.inputs),
        name: target.repository,
        policyFor: () => compactPolicy(settle.inputs, settle.refs),
      }),
    );
    const host = target.registries[0];
    // Past the gate: every tag held back is written over the registry API, the digest unchanged.
    const rest: BuildContext =
      context.builder.kind === 'merge' || host === undefined || digest === undefined
        ? { ...context, inputs: { ...context.inputs, scanGate: undefined } }
        : {
            ...context,
            builder: { kind: 'promote', source: { host, repository: target.repository, reference: digest } },
            inputs: { ...context.inputs, scanGate: undefined, pushByDigest: false },
            target: byDigest ? target : withTagsOnly(target, (tag) => tag.moving),
          };
    const tagged = await buildAndPushNow(rest, phases, settle);
    // What went up before the gate under tags (the classic builder's fixed ones); by-digest pushes have none.
    const before = first && !byDigest ? first.pushed : [];
    return {
      ...(first ?? tagged),
      builder: context.builder.kind,
      pushed: [...before, ...tagged.pushed],
      ...(tagged.digest === undefined && first?.digest === undefined
        ? {}
        : { digest: first?.digest ?? tagged.digest }),
      scan: { failOn: gate.failOn, verdict },
    };
  } catch (error) {
    if (error instanceof ScanGateError) await writeScanSummary(gate.failOn, error.verdict, false);
    throw error;
  }
}

/**
 * Build, then (when pushing and the build did not push by itself) settle the plans' open immutable tags
 * against the built image, then push.
 */
async function buildAndPushNow(context: BuildContext, phases: Phases, settle: Settle): Promise<BuildResult> {
  const { built, pushedByBuild: pushedAlready } = await phases.run(
    context.builder.kind === 'source' ? 'Tag' : 'Build',
    () => buildImage(context),
  );
  let pushed: PushedReference[] = [];
  if (pushedAlready) {
    pushed = pushedByBuild(context, built);
  } else if (context.push) {
    await settleOutcomes(context.target.outcomes, newImageOf(built), {
      ...awsSettings(settle.inputs),
      name: context.target.repository,
      policyFor: () => compactPolicy(settle.inputs, settle.refs),
    });
    pushed = await phases.run('Push', () => pushImages(context, built));
  }
  return buildResultOf(context, built, pushed);
}

export interface MainOptions {
  /** Where the build's git facts come from: GitHub's variables and event payload unless the CLI says otherwise. */
  readGitContext?: () => GitContext;
}

export async function runMain(options: MainOptions = {}): Promise<void> {
  markMainStarted();
  const inputs = getInputs();
  saveSkipLogout(inputs.skipLogout);
  if (inputs.proxy) {
    core.info(`AWS API calls go through the proxy ${redactProxy(inputs.proxy)} (NO_PROXY honoured).`);
  }
  const phases = new Phases();

  // Before any AWS call: a tag rule that cannot make a valid tag fails the step before anything happens.
  const image = await core.group('Resolve tags and labels', () => {
    const context = (options.readGitContext ?? readGitHubContext)();
    const resolved = resolveImageMetadata(inputs.metadata, context, new Date());
    logMetadata(resolved);
    return Promise.resolve(resolved);
  });

  // Also before any AWS call: a builder that cannot do what the inputs ask, or a missing source image.
  const building = inputs.build.mode !== 'none';
  const builder: Builder | undefined = building ? await chooseBuilder(inputs.build) : undefined;
  const decision = building ? decidePush(inputs.build.push, image.context.eventName) : undefined;
  const commitTag = inputs.build.skipExisting ? skipExistingTag(image.resolution.tags) : undefined;
  // docker pushes by tag: under the gate, the classic builder and a local image go up under a fixed tag.
  if (
    inputs.build.scanGate &&
    (builder?.kind === 'docker' || builder?.kind === 'source') &&
    !image.resolution.tags.some((tag) => !tag.moving)
  ) {
    throw new InputError(
      'scan-fail-on',
      inputs.build.scanGate.failOn,
      `with ${builder.kind === 'docker' ? 'the classic builder' : 'a local source-image'} the image is pushed under its fixed tags before the scan, and every tag here moves: add type=sha to tags (or use buildx, which pushes by digest)`,
    );
  }
  if (builder && decision) {
    core.info(
      `Builder: ${describeBuilder(builder)}. ${decision.push ? 'Pushing' : `Not pushing: ${decision.reason}`}.`,
    );
  }

  const plan = await phases.run('Log in to Amazon ECR', () => logIn(inputs, decision));
  const push = (decision?.push ?? false) && plan !== undefined;
  const notPushed = decision && !push ? (plan ? decision.reason : 'no AWS credentials') : undefined;
  if (plan && building) refuseSecretsInImage(plan.logins, inputs.build.buildArgs, image.labels);

  // A build that is not pushed changes no repository (a pull request must not create one).
  const outcomes = plan && (!building || push) ? await manageRepository(inputs, plan, image, phases) : [];
  const target: PushTarget = pushTargetOf(
    inputs.metadata.repository,
    image.resolution.tags,
    plan?.registries ?? [],
    outcomes,
  );
  if (target.tags.length === 0 && image.resolution.tags.length > 0) {
    core.warning(
      'Every tag was skipped by the repository plan: there is nothing to push (see the warnings above).',
    );
  }
  writeMetadataOutputs(image, target);
  writeRepositoryOutputs(outcomes);

  const refs = plan ? refsAfterLogin(inputs, plan, outcomes) : repositoryRefs(inputs);
  const iamPolicy = iamPolicyText(inputs, refs);
  core.setOutput('iam-policy', iamPolicy);
  if (plan && inputs.management.cleanup && outcomes.length > 0) saveCleanupState(inputs, plan, refs);

  let build: BuildResult | undefined;
  if (builder && target.repository !== undefined) {
    const repository = target.repository;
    // skip-existing: an image this commit already pushed is tagged (or copied), not built again.
    const existing =
      commitTag !== undefined && push
        ? await phases.run("Look up the commit's image", () =>
            existingCommitImage({ ...target, repository }, plan.logins, commitTag),
          )
        : undefined;
    const context: BuildContext = {
      inputs: inputs.build,
      builder: existing ?? builder,
      target: { ...target, repository: target.repository },
      labels: image.labels,
      ociBuildArgs: image.buildArgs,
      ...(image.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: image.sourceDateEpoch }),
      push,
      logins: plan?.logins ?? [],
    };
    build = await buildAndPush(context, phases, { inputs, refs });
    if (inputs.build.lambda && build.pushed.length > 0 && build.digest !== undefined) {
      const digest = build.digest;
      await phases.run('Check the image for Lambda', () =>
        checkLambdaImages(outcomes, digest, {
          ...awsSettings(inputs),
          name: target.repository ?? '',
          policyFor: () => compactPolicy(inputs, refs),
        }),
      );
    }
    const replicationSeconds = inputs.build.replicationTimeoutSeconds;
    if (replicationSeconds !== undefined && build.pushed.length > 0 && build.digest !== undefined) {
      const digest = build.digest;
      await phases.run('Wait for replication', () =>
        waitForReplicas(outcomes, digest, {
          ...awsSettings(inputs),
          name: target.repository ?? '',
          policyFor: () => compactPolicy(inputs, refs),
          timeoutSeconds: replicationSeconds,
        }),
      );
    }
    writeBuildOutputs(build);
    // Again, now that the image is in the registries: `json` names each registry's image by digest.
    if (build.pushed.length > 0 && build.digest !== undefined) writePushedJson(image, target, build.digest);
    logBuildResult(build, notPushed);
  }
  await writeJobSummary({
    target,
    labels: image.labels,
    iamPolicy,
    phases: phases.timings,
    ...(build ? { build } : {}),
    ...(notPushed === undefined ? {} : { notPushed }),
  });
}
