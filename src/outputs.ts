/** The login outputs, with amazon-ecr-login's names where it has them. */
import * as core from '@actions/core';
import type { LoginPlan } from './login-plan.js';
import { outputSuffix } from './registries.js';

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
