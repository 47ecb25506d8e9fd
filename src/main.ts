/**
 * The main step: orchestration only. Inputs → tokens → docker config → outputs; each side effect lives in
 * its own adapter.
 */
import * as core from '@actions/core';
import { fetchPrivateCredentials, fetchPublicCredentials } from './aws/auth-tokens.js';
import { storeCredentials } from './docker-config/credentials-store.js';
import { prepareConfigDir } from './docker-config/location.js';
import { authValue } from './docker-config/merge.js';
import {
  logMetadata,
  resolveImageMetadata,
  writeMetadataOutputs,
  type ImageMetadata,
} from './image-metadata.js';
import { getInputs, type Inputs } from './inputs.js';
import { compactPolicy, iamPolicyText, repositoryRefs } from './iam-config.js';
import { planLogins, planPublicLogin, type LoginPlan } from './login-plan.js';
import { writeLoginOutputs } from './outputs.js';
import { redactProxy } from './aws/proxy.js';
import { groupByRegion } from './registries.js';
import { keptTags, logOutcome, manageRepositories, type RepositoryOutcome } from './repository-step.js';
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
): Promise<RepositoryOutcome[]> {
  const name = inputs.metadata.repository;
  if (name === undefined || plan.targets.length === 0) return [];
  return core.group('Repository and tag plan', async () => {
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

export async function runMain(): Promise<void> {
  markMainStarted();
  const inputs = getInputs();
  saveSkipLogout(inputs.skipLogout);
  if (inputs.proxy) {
    core.info(`AWS API calls go through the proxy ${redactProxy(inputs.proxy)} (NO_PROXY honoured).`);
  }

  // Before any AWS call: a tag rule that cannot make a valid tag fails the step before anything happens.
  const image = await core.group('Resolve tags and labels', () => {
    const resolved = resolveImageMetadata(inputs.metadata, process.env, new Date());
    logMetadata(resolved);
    return Promise.resolve(resolved);
  });

  const plan = await core.group('Log in to Amazon ECR', async () => {
    const started = Date.now();
    const loginPlan = await fetchLoginPlan(inputs);
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
        `tokens valid until ${loginPlan.expiresAt.toISOString()}) in ${Date.now() - started} ms.`,
    );
    return loginPlan;
  });

  const outcomes = await manageRepository(inputs, plan, image);
  const tags = outcomes.length > 0 ? keptTags(image.resolution.tags, outcomes) : image.resolution.tags;
  if (tags.length === 0 && image.resolution.tags.length > 0) {
    core.warning(
      'Every tag was skipped by the repository plan: there is nothing to push (see the warnings above).',
    );
  }
  writeMetadataOutputs(image, tags, plan.registries, inputs.metadata.repository);
  writeRepositoryOutputs(outcomes);

  const refs = refsAfterLogin(inputs, plan, outcomes);
  const iamPolicy = iamPolicyText(inputs, refs);
  core.setOutput('iam-policy', iamPolicy);
  if (inputs.repository.cleanup && outcomes.length > 0) {
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
  await writeJobSummary({ registries: plan.registries, tags, labels: image.labels, outcomes, iamPolicy });
}
