/** The job summary: what the step resolved, where the repository stands, and the IAM policy it needs. */
import * as core from '@actions/core';
import type { Labels } from './labels.js';
import type { RepositoryOutcome } from './repository-step.js';
import type { ResolvedTag } from './tags/types.js';

export interface SummaryFacts {
  registries: string[];
  tags: ResolvedTag[];
  labels: Labels;
  outcomes: RepositoryOutcome[];
  iamPolicy: string;
}

/** The ECR console page of a repository; the hostname's region is the console's. */
function consoleUrl(outcome: RepositoryOutcome): string {
  const { region, repository } = outcome;
  return `https://${region}.console.aws.amazon.com/ecr/repositories/private/${repository.registryId}/${repository.name}?region=${region}`;
}

export async function writeJobSummary(facts: SummaryFacts): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const summary = core.summary.addHeading('ECR push', 2);
  summary.addRaw(`Registries: ${facts.registries.map((host) => `\`${host}\``).join(', ')}`, true);
  summary.addRaw(`Tags: ${facts.tags.map((tag) => `\`${tag.name}\``).join(', ') || '(none)'}`, true);
  for (const outcome of facts.outcomes) {
    summary.addHeading(`${outcome.host}/${outcome.repository.name}`, 3);
    summary.addLink('Open in the ECR console', consoleUrl(outcome));
    summary.addTable([
      [
        { data: 'Tag', header: true },
        { data: 'Plan', header: true },
      ],
      ...outcome.plan.push.map((entry) => [
        entry.tag.name,
        entry.checkAfterBuild ? 'push (exists, immutable)' : 'push',
      ]),
      ...outcome.plan.unchanged.map((entry) => [entry.tag.name, `unchanged (${entry.digest})`]),
      ...outcome.plan.skipped.map((entry) => [entry.tag.name, `skipped: ${entry.reason}`]),
    ]);
  }
  summary.addHeading('Labels', 3);
  summary.addCodeBlock(
    Object.entries(facts.labels)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
  );
  summary.addDetails(
    'Least-privilege IAM policy for this configuration',
    `\n\n\`\`\`json\n${facts.iamPolicy}\n\`\`\`\n\n`,
  );
  await summary.write();
}
