/**
 * Which hostnames each set of credentials is written under. Pure.
 *
 * A registry given as a hostname is logged in as written (the dual-stack or FIPS host the user pulls from)
 * and under the proxyEndpoint host the API returned; an account ID under the proxyEndpoint host.
 */
import type { Login } from '../docker-config/merge.js';
import { ActionError } from '../shared/errors.js';
import type { RegistrySpec } from './registries.js';

/** One registry's credentials, as GetAuthorizationToken gives them. */
export interface RegistryCredentials {
  region: string;
  accountId?: string;
  /** Host of the proxyEndpoint the API returned (or public.ecr.aws). */
  endpointHost: string;
  username: string;
  password: string;
  expiresAt: Date;
}

export interface LoginPlan {
  logins: Login[];
  /** Each private registry asked for, with the host it is known by: where repositories are managed. */
  targets: { spec: RegistrySpec; host: string }[];
  /** Account of each region's default registry, when the API's endpoint names it (for IAM ARNs). */
  accounts: Map<string, string>;
  /** One host per registry the user asked for, in their order: the `registry`/`registries` outputs. */
  registries: string[];
  /** Earliest expiry among the tokens. */
  expiresAt: Date;
}

function credentialsFor(
  spec: RegistrySpec,
  all: readonly RegistryCredentials[],
): RegistryCredentials | undefined {
  const sameRegion = all.filter((credentials) => credentials.region === spec.region);
  if (!spec.accountId)
    return sameRegion.find((credentials) => credentials.accountId === undefined) ?? sameRegion[0];
  return sameRegion.find((credentials) => credentials.accountId === spec.accountId);
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

export function planLogins(specs: readonly RegistrySpec[], all: readonly RegistryCredentials[]): LoginPlan {
  const logins: Login[] = [];
  const registries: string[] = [];
  const targets: LoginPlan['targets'] = [];
  const accounts = new Map<string, string>();
  const add = (host: string, credentials: RegistryCredentials) => {
    if (logins.some((login) => login.host === host)) return;
    logins.push({ host, username: credentials.username, password: credentials.password });
  };
  for (const spec of specs) {
    const credentials = credentialsFor(spec, all);
    if (!credentials) {
      throw new ActionError(
        `ECR returned no token for account ${spec.accountId ?? '(default)'} in ${spec.region}: check the account ID.`,
      );
    }
    if (spec.host) add(spec.host, credentials);
    add(credentials.endpointHost, credentials);
    const host = spec.host ?? credentials.endpointHost;
    if (!registries.includes(host)) targets.push({ spec, host });
    pushUnique(registries, host);
    if (credentials.accountId) accounts.set(spec.region, credentials.accountId);
  }
  const expiries = all.map((credentials) => credentials.expiresAt.getTime());
  return { logins, targets, accounts, registries, expiresAt: new Date(Math.min(...expiries)) };
}

/** For ECR Public: one registry, public.ecr.aws. */
export function planPublicLogin(credentials: RegistryCredentials): LoginPlan {
  return {
    logins: [
      { host: credentials.endpointHost, username: credentials.username, password: credentials.password },
    ],
    targets: [],
    accounts: new Map(),
    registries: [credentials.endpointHost],
    expiresAt: credentials.expiresAt,
  };
}
