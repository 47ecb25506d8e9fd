/**
 * The job summary: what was pushed where (with digests), what was left out and why, the labels, how long
 * each phase took, and the IAM policy the configuration needs.
 */
import * as core from '@actions/core';
import type { Severity, Verdict } from '../repository/scan-gate.js';
import type { BuildResult } from '../builder/step.js';
import type { Labels } from '../image/labels.js';
import { formatDuration, type PhaseTiming } from './phases.js';
import type { PushTarget, RepositoryOutcome } from '../repository/step.js';
import { imageReference } from '../image/outputs.js';

export interface SummaryFacts {
  target: PushTarget;
  labels: Labels;
  iamPolicy: string;
  phases: PhaseTiming[];
  build?: BuildResult;
  /** Why the step built without pushing, when it did. */
  notPushed?: string;
}

/** The ECR console page of a repository; the hostname's region is the console's. */
function consoleUrl(outcome: RepositoryOutcome): string {
  const { region, repository } = outcome;
  return `https://${region}.console.aws.amazon.com/ecr/repositories/private/${repository.registryId}/${repository.name}?region=${region}`;
}

type SummaryTableRow = Parameters<typeof core.summary.addTable>[0][number];

/** Summary HTML is written raw: every value from git or the user is escaped. */
const code = (text: string) => `<code>${escapeHtml(text)}</code>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** One row per tag of the repository: pushed (with its digest), planned, unchanged or skipped. */
function planRows(outcome: RepositoryOutcome, build: BuildResult | undefined, notPushed: string | undefined) {
  const digestOf = (tag: string) =>
    build?.pushed.find(
      (entry) => entry.reference === imageReference(outcome.host, outcome.repository.name, tag),
    )?.digest;
  const rows: SummaryTableRow[] = outcome.plan.push.map((entry) => {
    const digest = digestOf(entry.tag.name);
    if (digest !== undefined)
      return [code(entry.tag.name), entry.replaces ? 'pushed (moved)' : 'pushed', code(digest)];
    const planned = entry.checkAfterBuild ? 'push (exists, immutable)' : 'push';
    return [
      code(entry.tag.name),
      build ? `not pushed${notPushed ? `: ${escapeHtml(notPushed)}` : ''}` : planned,
      '',
    ];
  });
  for (const entry of outcome.plan.unchanged) {
    rows.push([code(entry.tag.name), 'unchanged: already holds this image', code(entry.digest)]);
  }
  for (const entry of outcome.plan.skipped) {
    rows.push([code(entry.tag.name), `skipped: ${escapeHtml(entry.reason)}`, '']);
  }
  return rows;
}

const HEADER: SummaryTableRow = [
  { data: 'Tag', header: true },
  { data: 'Result', header: true },
  { data: 'Digest', header: true },
];

export async function writeJobSummary(facts: SummaryFacts): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const { build, target } = facts;
  const summary = core.summary.addHeading('ECR push', 2);
  summary.addRaw(`Registries: ${target.registries.map(code).join(', ') || '(no login)'}`, true);
  summary.addRaw(`Tags: ${target.tags.map((tag) => code(tag.name)).join(', ') || '(none)'}`, true);
  if (build) {
    summary.addRaw(
      `Image ID ${code(build.imageId)}${build.digest ? `, digest ${code(build.digest)}` : ''}: ` +
        (build.pushed.length > 0
          ? `pushed ${build.pushed.length} reference${build.pushed.length === 1 ? '' : 's'}.`
          : `not pushed${facts.notPushed ? ` (${escapeHtml(facts.notPushed)})` : ''}.`),
      true,
    );
  }
  for (const outcome of target.outcomes) {
    summary.addHeading(`${escapeHtml(outcome.host)}/${escapeHtml(outcome.repository.name)}`, 3);
    summary.addLink('Open in the ECR console', consoleUrl(outcome));
    summary.addTable([HEADER, ...planRows(outcome, build, facts.notPushed)]);
  }
  if (build && target.outcomes.length === 0 && build.pushed.length > 0) {
    summary.addTable([
      [
        { data: 'Reference', header: true },
        { data: 'Digest', header: true },
      ],
      ...build.pushed.map((entry) => [code(entry.reference), code(entry.digest)]),
    ]);
  }
  if (build?.scan) addScanSection(build.scan.failOn, build.scan.verdict, true);
  summary.addHeading('Labels', 3);
  summary.addCodeBlock(
    escapeHtml(
      Object.entries(facts.labels)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
    ),
  );
  if (facts.phases.length > 0) {
    summary.addHeading('Phases', 3);
    summary.addTable([
      [
        { data: 'Phase', header: true },
        { data: 'Duration', header: true },
      ],
      ...facts.phases.map((phase) => [phase.name, formatDuration(phase.ms)]),
    ]);
  }
  summary.addDetails(
    'Least-privilege IAM policy for this configuration',
    `\n\n\`\`\`json\n${facts.iamPolicy}\n\`\`\`\n\n`,
  );
  await summary.write();
}

/** The scan gate's findings by severity, and the blocking ones with their links. */
function addScanSection(failOn: Severity, verdict: Verdict, passed: boolean): void {
  const summary = core.summary;
  summary.addHeading(
    `Scan gate (scan-fail-on: ${failOn}): ${passed ? 'passed' : 'failed, the gated tags were not applied'}`,
    3,
  );
  const severities = Object.entries(verdict.bySeverity);
  summary.addTable([
    [
      { data: 'Severity', header: true },
      { data: 'Findings', header: true },
    ],
    ...(severities.length > 0
      ? severities.map(([severity, count]) => [severity, String(count)])
      : [['(none)', '0']]),
  ]);
  if (verdict.blocking.length > 0) {
    summary.addList(
      verdict.blocking
        .slice(0, 50)
        .map(
          (finding) =>
            `${escapeHtml(finding.severity)} ${finding.uri ? `<a href="${escapeHtml(finding.uri)}">${escapeHtml(finding.id)}</a>` : escapeHtml(finding.id)}${finding.packageName ? ` in ${escapeHtml(finding.packageName)}` : ''}`,
        ),
    );
  }
  if (verdict.ignored.length > 0) {
    summary.addRaw(
      `Ignored (scan-ignore): ${verdict.ignored.map((finding) => code(finding.id)).join(', ')}`,
      true,
    );
  }
}

/** When the gate fails the step: the summary still says why. */
export async function writeScanSummary(failOn: Severity, verdict: Verdict, passed: boolean): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  core.summary.addHeading('ECR push', 2);
  addScanSection(failOn, verdict, passed);
  await core.summary.write();
}
