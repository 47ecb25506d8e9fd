/**
 * Options shared by every AWS client we create: region, retries and the HTTP handler (timeouts, proxy).
 * Retries are the SDK's own standard strategy (exponential backoff with full jitter on throttling, 5xx,
 * timeouts and connection errors), bounded by the `max-attempts` input.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createProxyAgents, proxyFor } from './proxy.js';

export interface AwsCallSettings {
  maxAttempts: number;
  proxy?: URL;
  /** Where the SDK will send this service's calls; only used to apply NO_PROXY. */
  endpoint: URL;
}

/** A hung connection must end in a retry, not in a job that waits for its own time-out. */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 15_000;

export const USER_AGENT = 'ecr-push-action';

/** Only for tests, which cannot wait for the real time-outs. */
export interface Timeouts {
  connectionMs?: number;
  requestMs?: number;
}

export function clientOptions(
  region: string,
  settings: AwsCallSettings,
  extra: { useFipsEndpoint?: boolean } = {},
  timeouts: Timeouts = {},
) {
  const proxy = proxyFor(settings.endpoint, settings.proxy);
  return {
    region,
    maxAttempts: settings.maxAttempts,
    customUserAgent: USER_AGENT,
    ...extra,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeouts.connectionMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout: timeouts.requestMs ?? REQUEST_TIMEOUT_MS,
      // Without it the SDK only logs a warning when requestTimeout passes, and the call goes on waiting.
      throwOnRequestTimeout: true,
      ...(proxy ? createProxyAgents(proxy) : {}),
    }),
  };
}

/**
 * The endpoint the SDK will call for a service: the configured-endpoint variables it honours first,
 * else the public one. Used to decide whether NO_PROXY exempts it.
 */
export function serviceEndpoint(
  env: Record<string, string | undefined>,
  envSuffix: 'ECR' | 'ECR_PUBLIC',
  defaultHost: string,
): URL {
  const configured = env[`AWS_ENDPOINT_URL_${envSuffix}`] || env.AWS_ENDPOINT_URL;
  try {
    if (configured) return new URL(configured);
  } catch {
    // The SDK itself reports a malformed endpoint variable; fall back to the public host for NO_PROXY.
  }
  return new URL(`https://${defaultHost}`);
}

/** Each partition's DNS suffix, by region prefix, as the SDK's endpoint rules have them. */
const PARTITION_SUFFIXES: [prefix: string, suffix: string][] = [
  ['cn-', 'amazonaws.com.cn'],
  ['eusc-', 'amazonaws.eu'],
  ['us-isob-', 'sc2s.sgov.gov'],
  ['us-isof-', 'csp.hci.ic.gov'],
  ['us-iso-', 'c2s.ic.gov'],
  ['eu-isoe-', 'cloud.adc-e.uk'],
];

/** The host the SDK calls for the ECR API of `region` (China, EU sovereign, ISO and FIPS included). */
export function ecrApiHost(region: string, fips: boolean): string {
  const suffix = PARTITION_SUFFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'amazonaws.com';
  return `api.ecr${fips ? '-fips' : ''}.${region}.${suffix}`;
}
