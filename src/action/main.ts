/**
 * The main step: orchestration only. Inputs → tags and labels → builder check → login (tokens, docker
 * config) → repository and tag plan → build → push → outputs and job summary; each side effect lives in its
 * own adapter.
 */
import * as core from '@actions/core';
import { fetchPrivateCredentials, fetchPublicCredentials } from '../aws/auth-tokens.js';
import { storeCredentials } from '../docker-config/credentials-store.js';
import { prepareConfigDir } from '../docker-config/location.js';
import { authValue } from '../docker-config/merge.js';
import type { GitContext } from '../image/git-context.js';
import {
  githubContext,
  logMetadata,
  resolveImageMetadata,
  writeMetadataOutputs,
  type ImageMetadata,
} from '../image/step.js';
import { getInputs, type Inputs } from '../inputs/inputs.js';
import { compactPolicy, iamPolicyText, repositoryRefs } from '../iam/for-inputs.js';
import { planLogins, planPublicLogin, type LoginPlan } from '../login/plan.js';
import { logBuildResult, writeBuildOutputs, writeLoginOutputs } from './outputs.js';
import { redactProxy } from '../aws/proxy.js';
import { groupByRegion } from '../login/registries.js';
import {
  keptTags,
  logOutcome,
  manageRepositories,
  settleOutcomes,
  type RepositoryOutcome,
} from '../repository/step.js';
import { buildAndPush, chooseBuilder, describeBuilder, type BuildResult } from '../builder/step.js';
import { decidePush, type PushDecision } from '../builder/push-decision.js';
import { ActionError, NoCredentialsError } from '../shared/errors.js';
import { Phases } from './phases.js';
import { writeJobSummary } from './summary.js';
import { markMainStarted, saveCleanup, saveIsolatedDir, saveSkipLogout, undoFileWriter } from './state.js';

async function fetchLoginPlan(inputs: Inputs): Promise<LoginPlan> {
  // An AccessDenied quotes the policy for everything this configuration does, not just the failed call.
  const loginPolicyFor = () => compactPolicy(inputs, repositoryRefs(inputs));
  const settings = { maxAttempts: inputs.maxAttempts, ...(inputs.proxy ? { proxy: inputs.proxy } : {}) };
  if (inputs.registryType === 'public') {
    return planPublicLogin(await fetchPublicCredentials(settings, process.env, loginPolicyFor));
  }
  const credentials = await fetchPrivateCredentials(
    groupByRegion(inputs.registries),
    settings,
    process.env,
    loginPolicyFor,
  );
  return planLogins(inputs.registries, credentials);
}

/** Registered before anything else can print: the password, and the base64 forms docker and the API use. */
function maskSecrets(plan: LoginPlan, maskPassword: boolean): void {
  const secrets = new Set<string>();
  for (const login of plan.logins) {
    secrets.add(authValue(login.username, login.password));
    if (maskPassword) secrets.add(login.password);
  }
  for (const secret of secrets) core.setSecret(secret);
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
      inputs: inputs.repository,
      tags: image.resolution.tags,
      latestAuto: inputs.metadata.latest.kind === 'auto',
      maxAttempts: inputs.maxAttempts,
      ...(inputs.proxy ? { proxy: inputs.proxy } : {}),
      policyFor: () => compactPolicy(inputs, repositoryRefs(inputs, plan.accounts)),
    });
    outcomes.forEach(logOutcome);
    return outcomes;
  });
}

function writeRepositoryOutputs(outcomes: RepositoryOutcome[]): void {
  const first = outcomes[0];
  if (!first) return;
  core.setOutput('repository-uri', first.repository.uri);
  core.setOutput('repository-arn', first.repository.arn);
  core.setOutput('repository-created', String(first.created));
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
    loginPlan = await fetchLoginPlan(inputs);
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

/** A registry password must never end up in the image: refuse a build arg or label that holds one. */
function refuseSecretsInImage(plan: LoginPlan, image: ImageMetadata, inputs: Inputs): void {
  const values = [
    ...inputs.build.buildArgs.map(([name, value]) => [`build-args ${name}`, value] as const),
    ...Object.entries(image.labels).map(([key, value]) => [`labels ${key}`, value] as const),
  ];
  for (const login of plan.logins) {
    const found = values.find(([, value]) => value.includes(login.password));
    if (found) {
      throw new ActionError(
        `${found[0]} holds the registry password of ${login.host}: it would be stored in the image for anyone who ` +
          `can pull it. Pass values the build needs but the image must not keep with 'secrets'.`,
      );
    }
  }
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
    dryRun: inputs.repository.cleanupDryRun,
    maxAttempts: inputs.maxAttempts,
    policy: compactPolicy(inputs, refs),
  });
  core.info('cleanup: untagged images are removed by the post step, once the job has pushed.');
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
    const context = (options.readGitContext ?? githubContext)();
    const resolved = resolveImageMetadata(inputs.metadata, context, new Date());
    logMetadata(resolved);
    return Promise.resolve(resolved);
  });

  // Also before any AWS call: a builder that cannot do what the inputs ask, or a missing source image.
  const building = inputs.build.mode !== 'none';
  const builder = building ? await chooseBuilder(inputs.build) : undefined;
  const decision = building ? decidePush(inputs.build.push, image.context.eventName) : undefined;
  if (builder && decision) {
    core.info(
      `Builder: ${describeBuilder(builder)}. ${decision.push ? 'Pushing' : `Not pushing: ${decision.reason}`}.`,
    );
  }

  const plan = await phases.run('Log in to Amazon ECR', () => logIn(inputs, decision));
  const push = (decision?.push ?? false) && plan !== undefined;
  const notPushed = decision && !push ? (plan ? decision.reason : 'no AWS credentials') : undefined;
  if (plan && building) refuseSecretsInImage(plan, image, inputs);

  // A build that is not pushed changes no repository (a pull request must not create one).
  const outcomes = plan && (!building || push) ? await manageRepository(inputs, plan, image, phases) : [];
  const tags = outcomes.length > 0 ? keptTags(image.resolution.tags, outcomes) : image.resolution.tags;
  if (tags.length === 0 && image.resolution.tags.length > 0) {
    core.warning(
      'Every tag was skipped by the repository plan: there is nothing to push (see the warnings above).',
    );
  }
  const registries = plan?.registries ?? [];
  writeMetadataOutputs(image, tags, registries, inputs.metadata.repository);
  writeRepositoryOutputs(outcomes);

  const refs = plan ? refsAfterLogin(inputs, plan, outcomes) : repositoryRefs(inputs);
  const iamPolicy = iamPolicyText(inputs, refs);
  core.setOutput('iam-policy', iamPolicy);
  if (plan && inputs.repository.cleanup && outcomes.length > 0) saveCleanupState(inputs, plan, refs);

  let build: BuildResult | undefined;
  if (builder && inputs.metadata.repository !== undefined) {
    const repository = inputs.metadata.repository;
    const settings = { maxAttempts: inputs.maxAttempts, ...(inputs.proxy ? { proxy: inputs.proxy } : {}) };
    build = await buildAndPush(
      {
        inputs: inputs.build,
        builder,
        repository,
        tags,
        labels: image.labels,
        ociBuildArgs: image.buildArgs,
        registries,
        outcomes,
        push,
        settle: (built) =>
          settleOutcomes(outcomes, built, {
            ...settings,
            name: repository,
            policyFor: () => compactPolicy(inputs, refs),
          }),
      },
      (name, work) => phases.run(name, work),
    );
    writeBuildOutputs(build);
    logBuildResult(build, notPushed);
  }
  await writeJobSummary({
    registries,
    tags,
    labels: image.labels,
    outcomes,
    iamPolicy,
    phases: phases.timings,
    ...(build ? { build } : {}),
    ...(notPushed === undefined ? {} : { notPushed }),
  });
}
