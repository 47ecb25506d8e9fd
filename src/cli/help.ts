/** `ecr-push --help`: every command and option, from the same table the parser uses. */
import { OPTION_GROUPS, envName } from './options.js';

const COMMAND_HELP: [string, string][] = [
  ['login', 'log in and write the docker config (--docker-config DIR for a given place); stays until logout'],
  ['logout', 'remove what login wrote, restoring anything it replaced'],
  ['tags', 'print the tags and labels this build gets (dry run, no AWS call)'],
  ['push', 'log in, manage the repository, build and push, clean up, log out'],
  ['iam-policy', 'print the least-privilege IAM policy for these options (no AWS call)'],
];

export function helpText(): string {
  const width = 28;
  const lines = [
    'Usage: ecr-push <command> [--option value ...] [--json] [--ci SYSTEM]',
    '',
    'Commands:',
    ...COMMAND_HELP.map(([name, help]) => `  ${name.padEnd(width)}${help}`),
    '',
    'Each option is also read from ECR_PUSH_<NAME> (e.g. --docker-config: ECR_PUSH_DOCKER_CONFIG); a flag',
    'wins. Repeat a list option (--tags, --labels, --build-args) for several lines. The git facts come from',
    'the CI system (GitHub Actions, GitLab CI, Travis CI, Bitbucket Pipelines, CircleCI, Codeship), or from',
    'the git checkout when none is detected.',
  ];
  for (const group of OPTION_GROUPS) {
    lines.push('', `${group.title}:`);
    for (const option of group.options) {
      const flag = `--${option.name}${option.flag ? '' : ' VALUE'}`;
      lines.push(`  ${`${flag} `.padEnd(width)}${option.help} [${envName(option.name)}]`);
    }
  }
  lines.push(
    '',
    'Output:',
    `  ${'--json'.padEnd(width)}print the result as JSON on stdout (the log goes to stderr)`,
    `  ${'--ci SYSTEM'.padEnd(width)}github, gitlab, travis, bitbucket, circleci, codeship or git`,
    `  ${'--help, --version'.padEnd(width)}`,
    '',
    'Exit codes: 0 done, 1 failed, 2 usage error.',
    '',
  );
  return lines.join('\n');
}
