/** The `repository-policy` input: JSON, a file, or the `pull-accounts:` shorthand, resolved to the policy text. Pure. */
import { InputError } from '../../shared/errors.js';
import { parseList } from '../../shared/lists.js';
import { accountRootArn, partitionOf } from './arn.js';
import { readPolicySource, type ReadFile } from './policy-source.js';
import { validateRepositoryPolicy, type RepositoryPolicy } from './repository-policy-validate.js';

export interface ResolvedRepositoryPolicy {
  policy: RepositoryPolicy;
  /** The text for SetRepositoryPolicy; compare with the stored one through policiesEqual. */
  text: string;
  source: 'inline' | 'file' | 'shorthand';
}

/** What another account needs to pull: read the manifest, find the layers, download them. */
export const PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];
const SHORTHAND_KEYS = ['pull-accounts'];
const ACCOUNT_ID = /^\d{12}$/;

/**
 * The `repository-policy` input: inline JSON, a path to a JSON file, or `pull-accounts: 111111111111,
 * 222222222222`, validated before any call. Undefined when empty: the repository's policy is left alone.
 * `region` gives the partition of the account ARNs the shorthand writes.
 */
export function resolveRepositoryPolicy(
  text: string,
  readFile: ReadFile,
  region: string,
): ResolvedRepositoryPolicy | undefined {
  if (text.trim() === '') return undefined;
  const source = readPolicySource('repository-policy', text, readFile, SHORTHAND_KEYS);
  const json = source.kind === 'shorthand' ? compilePullAccounts(source.text, region) : source.json;
  const policy = validateRepositoryPolicy(json);
  return { policy, text: JSON.stringify(policy), source: source.kind };
}

/**
 * `pull-accounts: 111111111111, 222222222222` → one statement letting those accounts pull. Accounts are
 * written as root ARNs, the form IAM stores, so the policy read back compares equal and is not rewritten.
 */
export function compilePullAccounts(text: string, region: string): RepositoryPolicy {
  const list = text.replace(/^pull-accounts\s*[=:]/i, '');
  const accounts = [...new Set(parseList(list))];
  if (accounts.length === 0) {
    throw new InputError(
      'repository-policy',
      text,
      'name the accounts, e.g. pull-accounts: 111111111111,222222222222',
    );
  }
  const bad = accounts.find((account) => !ACCOUNT_ID.test(account));
  if (bad !== undefined) {
    throw new InputError(
      'repository-policy',
      bad,
      'an AWS account ID is 12 digits, e.g. pull-accounts: 111111111111,222222222222',
    );
  }
  const partition = partitionOf(region);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowPullFromAccounts',
        Effect: 'Allow',
        Principal: { AWS: accounts.map((account) => accountRootArn(partition, account)) },
        Action: PULL_ACTIONS,
      },
    ],
  };
}
