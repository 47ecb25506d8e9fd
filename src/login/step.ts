/**
 * The login stage: one GetAuthorizationToken call per region (or ECR Public's), planned into the hostnames
 * each password is written under, and every form of the password masked before anything can print it.
 */
import * as core from '@actions/core';
import { fetchPrivateCredentials, fetchPublicCredentials } from '../aws/auth-tokens.js';
import type { AwsCallSettings } from '../aws/client-options.js';
import type { PolicyForAction } from '../aws/errors.js';
import { authValue } from '../docker-config/merge.js';
import { planLogins, planPublicLogin, type LoginPlan } from './plan.js';
import { groupByRegion, type RegistrySpec } from './registries.js';

export interface LoginRequest {
  registryType: 'private' | 'public';
  /** For `private`: the registries to log in to, each with its region. */
  registries: RegistrySpec[];
  settings: Omit<AwsCallSettings, 'endpoint'>;
  /** An AccessDenied quotes the policy for everything the configuration does, not just the failed call. */
  policyFor: PolicyForAction;
}

export async function fetchLoginPlan(request: LoginRequest): Promise<LoginPlan> {
  if (request.registryType === 'public') {
    return planPublicLogin(await fetchPublicCredentials(request.settings, process.env, request.policyFor));
  }
  const credentials = await fetchPrivateCredentials(
    groupByRegion(request.registries),
    request.settings,
    process.env,
    request.policyFor,
  );
  return planLogins(request.registries, credentials);
}

/** Registered before anything else can print: the password, and the base64 forms docker and the API use. */
export function maskSecrets(plan: LoginPlan, maskPassword: boolean): void {
  const secrets = new Set<string>();
  for (const login of plan.logins) {
    secrets.add(authValue(login.username, login.password));
    if (maskPassword) secrets.add(login.password);
  }
  for (const secret of secrets) core.setSecret(secret);
}
