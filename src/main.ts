/**
 * The main step: orchestration only. Inputs → tokens → docker config → outputs; each side effect lives in
 * its own adapter.
 */
import * as core from '@actions/core';
import { fetchPrivateCredentials, fetchPublicCredentials } from './aws/auth-tokens.js';
import { storeCredentials } from './docker-config/credentials-store.js';
import { prepareConfigDir } from './docker-config/location.js';
import { authValue } from './docker-config/merge.js';
import { logMetadata, resolveImageMetadata, writeMetadataOutputs } from './image-metadata.js';
import { getInputs, type Inputs } from './inputs.js';
import { compactPolicy, repositoryRefs } from './iam-config.js';
import { planLogins, planPublicLogin, type LoginPlan } from './login-plan.js';
import { writeLoginOutputs } from './outputs.js';
import { redactProxy } from './aws/proxy.js';
import { groupByRegion } from './registries.js';
import { markMainStarted, saveIsolatedDir, saveSkipLogout, undoFileWriter } from './state.js';

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

  const registries = await core.group('Log in to Amazon ECR', async () => {
    const started = Date.now();
    const plan = await fetchLoginPlan(inputs);
    maskSecrets(plan, inputs.maskPassword);

    const dir = await prepareConfigDir(inputs.dockerConfig);
    if (inputs.dockerConfig.kind === 'isolated') {
      if (!inputs.skipLogout) saveIsolatedDir(dir);
      core.exportVariable('DOCKER_CONFIG', dir);
    }
    const persist = inputs.skipLogout ? async () => {} : undoFileWriter(process.env.RUNNER_TEMP);
    await storeCredentials(dir, plan.logins, persist);

    writeLoginOutputs(plan, dir, inputs.maskPassword);
    core.info(
      `Logged in to ${plan.registries.join(', ')} (docker config ${dir}; ` +
        `tokens valid until ${plan.expiresAt.toISOString()}) in ${Date.now() - started} ms.`,
    );
    return plan.registries;
  });
  writeMetadataOutputs(image, registries, inputs.metadata.repository);
}
