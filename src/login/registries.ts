/**
 * Registry specs as users write them (account IDs and ECR hostnames of every form), turned into the
 * groups of one GetAuthorizationToken call each. Pure: no AWS, no environment.
 */

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

/**
 * Private registry hostnames: `<id>.dkr.ecr[-fips].<region>.<suffix>` (IPv4) and
 * `<id>.dkr-ecr[-fips].<region>.<suffix>` (dual-stack), with each partition's DNS suffix.
 */
const PRIVATE_HOST =
  /^(\d{12})\.(dkr\.ecr|dkr-ecr)(-fips)?\.([a-z0-9-]+)\.(amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|c2s\.ic\.gov|sc2s\.sgov\.gov|on\.aws|on\.amazonwebservices\.com\.cn|on\.amazonwebservices\.eu)$/;

export const PUBLIC_REGISTRY_HOST = 'public.ecr.aws';
/** ECR Public's API exists only in us-east-1, whatever region the job uses. */
export const PUBLIC_API_REGION = 'us-east-1';

export interface RegistrySpec {
  /** Undefined for "the caller's own registry". */
  accountId?: string;
  region: string;
  /** The hostname the user wrote, logged in to as written (dual-stack and FIPS users pull from it). */
  host?: string;
  fips: boolean;
  dualStack: boolean;
}

/** One GetAuthorizationToken call: every account of one region. */
export interface RegionGroup {
  region: string;
  /** Empty: the caller's own registry. */
  accountIds: string[];
  /** Call the FIPS API endpoint: a user who names a FIPS registry needs FIPS end to end. */
  fips: boolean;
  specs: RegistrySpec[];
}

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

export function isRegion(value: string): boolean {
  return REGION.test(value);
}

/** Accepts `https://host/` as docker login does, so a pasted URL works. */
function bareHost(value: string): string {
  return value
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/**
 * Parses one item of the `registries` input. Returns an error text (what is accepted) instead of throwing
 * so the input module can name the input.
 */
export function parseRegistry(item: string, defaultRegion: string | undefined): RegistrySpec | string {
  if (isAccountId(item)) {
    if (!defaultRegion) {
      return `account ID ${item} needs a region: set the 'region' input or AWS_REGION, or give the full registry hostname`;
    }
    return { accountId: item, region: defaultRegion, fips: false, dualStack: false };
  }
  const host = bareHost(item);
  if (host === PUBLIC_REGISTRY_HOST || host.startsWith(`${PUBLIC_REGISTRY_HOST}/`)) {
    return "public.ecr.aws is ECR Public: set 'registry-type: public' (and leave 'registries' empty)";
  }
  const match = PRIVATE_HOST.exec(host);
  if (!match) {
    return 'expected a 12-digit AWS account ID or an ECR registry hostname such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com (dual-stack: 123456789012.dkr-ecr.eu-west-1.on.aws)';
  }
  const [, accountId, form, fips, region] = match;
  if (!region || !isRegion(region)) {
    return `'${region ?? ''}' in ${host} is not an AWS region`;
  }
  return { accountId, region, host, fips: fips !== undefined, dualStack: form === 'dkr-ecr' };
}

/** Groups specs by region, in the order regions first appear, each account ID once. */
export function groupByRegion(specs: readonly RegistrySpec[]): RegionGroup[] {
  const groups = new Map<string, RegionGroup>();
  for (const spec of specs) {
    let group = groups.get(spec.region);
    if (!group) {
      group = { region: spec.region, accountIds: [], fips: false, specs: [] };
      groups.set(spec.region, group);
    }
    if (spec.accountId && !group.accountIds.includes(spec.accountId)) group.accountIds.push(spec.accountId);
    group.fips ||= spec.fips;
    group.specs.push(spec);
  }
  return [...groups.values()];
}

/** `https://host` or `host` → `host`, the key docker itself writes into config.json. */
export function hostOfEndpoint(endpoint: string): string {
  return bareHost(endpoint);
}

/** The account ID in a standard ECR hostname, when there is one. */
export function accountOfHost(host: string): string | undefined {
  return PRIVATE_HOST.exec(host)?.[1];
}

/** amazon-ecr-login's output suffix: every run of other characters becomes `_`. */
export function outputSuffix(host: string): string {
  return host.replace(/[^a-zA-Z0-9_]+/g, '_');
}
