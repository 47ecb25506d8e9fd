/** An ECR client for one region, with our retries, time-outs and proxy (NO_PROXY checked against its real endpoint). */
import { ECRClient } from '@aws-sdk/client-ecr';
import { clientOptions, ecrApiHost, serviceEndpoint, type AwsCallSettings } from './client-options.js';

export function ecrClientFor(
  region: string,
  fips: boolean,
  settings: Omit<AwsCallSettings, 'endpoint'>,
  env: Record<string, string | undefined>,
): ECRClient {
  const endpoint = serviceEndpoint(env, 'ECR', ecrApiHost(region, fips));
  return new ECRClient(
    clientOptions(region, { ...settings, endpoint }, fips ? { useFipsEndpoint: true } : {}),
  );
}
