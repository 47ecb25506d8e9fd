/**
 * The CLI's options: the action's inputs under the same names (a test keeps the two lists equal), each
 * also read from an `ECR_PUSH_<NAME>` environment variable, plus the CLI's own switches.
 */

export interface OptionSpec {
  /** The action input's name, and the flag: `--<name>`. */
  name: string;
  /** One line for --help. */
  help: string;
  /** A bare `--<name>` means `true`. */
  flag?: true;
}

export interface OptionGroup {
  title: string;
  options: OptionSpec[];
}

export const OPTION_GROUPS: OptionGroup[] = [
  {
    title: 'Login',
    options: [
      { name: 'region', help: 'AWS region (default AWS_REGION, then AWS_DEFAULT_REGION)' },
      { name: 'registries', help: 'account IDs and/or registry hostnames, comma-separated' },
      { name: 'registry-type', help: 'private (default) or public (ECR Public)' },
      { name: 'docker-config', help: 'default (DOCKER_CONFIG or ~/.docker), isolated, or a directory' },
      { name: 'mask-password', help: 'true (default) or false', flag: true },
      { name: 'skip-logout', help: 'push: leave the credentials in the docker config', flag: true },
      { name: 'http-proxy', help: 'proxy for AWS API calls (default HTTPS_PROXY, HTTP_PROXY)' },
      { name: 'max-attempts', help: 'attempts per AWS call, 1-20 (default 5)' },
    ],
  },
  {
    title: 'Tags and labels',
    options: [
      { name: 'repository', help: 'ECR repository name, such as team/app' },
      { name: 'tags', help: 'tag rules, one per flag or line (default type=sha, type=branch, type=tag)' },
      { name: 'latest', help: 'auto (default), true, false, or branch names' },
      { name: 'labels', help: 'extra labels, key=value, one per flag or line' },
      { name: 'created', help: 'created label: commit (default), now, ISO time or Unix seconds' },
    ],
  },
  {
    title: 'Repository',
    options: [
      { name: 'create-repository', help: 'create the repository when missing', flag: true },
      {
        name: 'tag-mutability',
        help: 'MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION',
      },
      { name: 'tag-mutability-exclusions', help: 'wildcard filters for the *_WITH_EXCLUSION settings' },
      { name: 'scan-on-push', help: 'true or false', flag: true },
      { name: 'encryption', help: 'AES256 or KMS, for a created repository' },
      { name: 'kms-key', help: 'with encryption KMS: key ARN, ID or alias' },
      { name: 'repository-tags', help: 'key=value resource tags for a created repository' },
      { name: 'lifecycle-policy', help: 'JSON, a file, or shorthand such as keep=30,untagged-days=7' },
      { name: 'repository-policy', help: 'JSON, a file, or pull-accounts: ID,ID' },
      { name: 'on-immutable', help: 'skip (default) or fail, for moving tags on immutable repositories' },
      { name: 'cleanup', help: 'untagged: delete untagged images after the push' },
      { name: 'cleanup-dry-run', help: 'list what cleanup would delete', flag: true },
    ],
  },
  {
    title: 'Build and push',
    options: [
      { name: 'build', help: 'build from the context and push', flag: true },
      { name: 'source-image', help: 'push this local image instead of building' },
      { name: 'context', help: 'build context directory or URL (default .)' },
      { name: 'file', help: 'Dockerfile (default <context>/Dockerfile)' },
      { name: 'target', help: 'build stage' },
      { name: 'build-args', help: 'NAME=VALUE, one per flag or line' },
      {
        name: 'label-build-args',
        help: 'pass the labels as OCI_* build args too (default true)',
        flag: true,
      },
      { name: 'platforms', help: 'target platforms (buildx)' },
      { name: 'cache', help: 'ecr: registry cache in the repository (buildx)' },
      { name: 'cache-from', help: 'raw --cache-from values (buildx)' },
      { name: 'cache-to', help: 'raw --cache-to values (buildx)' },
      { name: 'provenance', help: 'false (default), true, mode=min, mode=max (buildx)', flag: true },
      { name: 'builder', help: 'auto (default), buildx or docker' },
      { name: 'push', help: 'auto (default: not for pull requests), true or false', flag: true },
      { name: 'secrets', help: 'BuildKit secrets: NAME=VALUE, id=NAME,src=FILE or id=NAME,env=VAR (buildx)' },
    ],
  },
];

export const OPTIONS: OptionSpec[] = OPTION_GROUPS.flatMap((group) => group.options);

/** `docker-config` → `ECR_PUSH_DOCKER_CONFIG`: a name every shell can set. */
export function envName(option: string): string {
  return `ECR_PUSH_${option.replaceAll('-', '_').toUpperCase()}`;
}
