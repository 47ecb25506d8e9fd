/**
 * GetAuthorizationToken, for private registries (one call per region, every account of the region in it,
 * regions in parallel) and for ECR Public. The ECR Public client is imported only when it is used, so a
 * private-registry run never loads it.
 */
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ActionError } from '../shared/errors.js';
import {
  accountOfHost,
  hostOfEndpoint,
  PUBLIC_API_REGION,
  PUBLIC_REGISTRY_HOST,
  type RegionGroup,
} from '../login/registries.js';
import { clientOptions, serviceEndpoint, type AwsCallSettings } from './client-options.js';
import { ecrClientFor } from './ecr-client.js';
import { describeAwsError, type PolicyForAction } from './errors.js';
import type { RegistryCredentials } from '../login/plan.js';

interface AuthorizationData {
  authorizationToken?: string;
  expiresAt?: Date;
  proxyEndpoint?: string;
}

type Env = Record<string, string | undefined>;

/** The token is base64 of `user:password`; the password itself may hold `:`. */
export function decodeToken(token: string): { username: string; password: string } {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) {
    throw new ActionError('ECR returned an authorization token that is not base64 of user:password.');
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function toCredentials(region: string, data: AuthorizationData, endpointHost: string, accountId?: string) {
  if (!data.authorizationToken) throw new ActionError(`ECR returned no authorization token for ${region}.`);
  const { username, password } = decodeToken(data.authorizationToken);
  return {
    region,
    ...(accountId ? { accountId } : {}),
    endpointHost,
    username,
    password,
    expiresAt: data.expiresAt ?? new Date(Date.now() + 12 * 3600 * 1000),
  } satisfies RegistryCredentials;
}

/**
 * Pairs the returned authorizationData with the accounts asked for: by the account ID in the proxyEndpoint
 * host when there is one (real ECR), else by position (the API answers in request order).
 */
function pairWithAccounts(group: RegionGroup, data: AuthorizationData[]): RegistryCredentials[] {
  return data.map((entry, index) => {
    if (!entry.proxyEndpoint) throw new ActionError(`ECR returned no proxyEndpoint for ${group.region}.`);
    const endpointHost = hostOfEndpoint(entry.proxyEndpoint);
    const accountId = accountOfHost(endpointHost) ?? group.accountIds[index];
    return toCredentials(group.region, entry, endpointHost, accountId);
  });
}

async function fetchRegion(
  group: RegionGroup,
  settings: Omit<AwsCallSettings, 'endpoint'>,
  env: Env,
  policyFor: PolicyForAction,
) {
  const client = ecrClientFor(group.region, group.fips, settings, env);
  try {
    // registryIds no longer narrows the token's scope, but it is still how the API returns each
    // registry's proxyEndpoint in one call.
    const request = group.accountIds.length > 0 ? { registryIds: group.accountIds } : {};
    const response = await client.send(new GetAuthorizationTokenCommand(request));
    const data = response.authorizationData ?? [];
    if (data.length === 0) throw new ActionError(`ECR returned no authorization data for ${group.region}.`);
    return pairWithAccounts(group, data);
  } catch (error) {
    throw describeAwsError(error, {
      action: 'ecr:GetAuthorizationToken',
      where: group.region,
      maxAttempts: settings.maxAttempts,
      policyFor,
    });
  } finally {
    client.destroy();
  }
}

export async function fetchPrivateCredentials(
  groups: readonly RegionGroup[],
  settings: Omit<AwsCallSettings, 'endpoint'>,
  env: Env,
  policyFor: PolicyForAction,
): Promise<RegistryCredentials[]> {
  const perRegion = await Promise.all(groups.map((group) => fetchRegion(group, settings, env, policyFor)));
  return perRegion.flat();
}

export async function fetchPublicCredentials(
  settings: Omit<AwsCallSettings, 'endpoint'>,
  env: Env,
  policyFor: PolicyForAction,
): Promise<RegistryCredentials> {
  const { ECRPUBLICClient, GetAuthorizationTokenCommand: GetPublicToken } =
    await import('@aws-sdk/client-ecr-public');
  const endpoint = serviceEndpoint(env, 'ECR_PUBLIC', `api.ecr-public.${PUBLIC_API_REGION}.amazonaws.com`);
  const client = new ECRPUBLICClient(clientOptions(PUBLIC_API_REGION, { ...settings, endpoint }));
  try {
    const response = await client.send(new GetPublicToken({}));
    if (!response.authorizationData) throw new ActionError('ECR Public returned no authorization data.');
    return toCredentials(PUBLIC_API_REGION, response.authorizationData, PUBLIC_REGISTRY_HOST);
  } catch (error) {
    throw describeAwsError(error, {
      action: 'ecr-public:GetAuthorizationToken',
      where: PUBLIC_API_REGION,
      maxAttempts: settings.maxAttempts,
      policyFor,
    });
  } finally {
    client.destroy();
  }
}
