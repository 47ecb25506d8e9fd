/**
 * The scan gate's judgement: which findings block an image from its moving tags. Pure: findings in,
 * a verdict out. Severities are ECR's (basic scanning) and Inspector's (enhanced) names.
 */

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ScanGate {
  /** Findings at this severity or above fail the step. */
  failOn: Severity;
  /** Vulnerability IDs (CVE-…, GHSA-…) that never block, upper-cased. */
  ignore: string[];
  timeoutSeconds: number;
}

export interface Finding {
  /** The vulnerability ID (CVE-2024-…), as the scanner names it. */
  id: string;
  severity: string;
  /** Where to read about it. */
  uri?: string;
  /** The package it is in (enhanced scanning). */
  packageName?: string;
}

export interface Verdict {
  blocking: Finding[];
  ignored: Finding[];
  /** Every finding's severity, counted (blocking or not): the summary's table. */
  bySeverity: Record<string, number>;
}

function rank(severity: string): number {
  const index = SEVERITIES.indexOf(severity.toUpperCase() as Severity);
  return index < 0 ? SEVERITIES.length : index;
}

export function judgeFindings(
  findings: readonly Finding[],
  gate: Pick<ScanGate, 'failOn' | 'ignore'>,
): Verdict {
  const bySeverity: Record<string, number> = {};
  const blocking: Finding[] = [];
  const ignored: Finding[] = [];
  for (const finding of findings) {
    const severity = finding.severity.toUpperCase();
    bySeverity[severity] = (bySeverity[severity] ?? 0) + 1;
    if (rank(severity) > rank(gate.failOn)) continue;
    if (gate.ignore.includes(finding.id.toUpperCase())) ignored.push(finding);
    else blocking.push(finding);
  }
  // The worst first, so the error names what matters.
  blocking.sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
  return { blocking, ignored, bySeverity };
}

/** One line for the error and the log: counts by severity, then the first few blocking IDs. */
export function describeVerdict(verdict: Verdict, failOn: Severity): string {
  const counts = [...SEVERITIES, 'INFORMATIONAL', 'UNDEFINED']
    .filter((severity) => verdict.bySeverity[severity])
    .map((severity) => `${verdict.bySeverity[severity]} ${severity}`)
    .join(', ');
  const first = verdict.blocking
    .slice(0, 5)
    .map(
      (finding) =>
        `${finding.id} (${finding.severity}${finding.packageName ? `, ${finding.packageName}` : ''})`,
    )
    .join(', ');
  const more = verdict.blocking.length > 5 ? ` and ${verdict.blocking.length - 5} more` : '';
  const all = `all findings: ${counts || 'none'}`;
  if (verdict.blocking.length === 0) return `no finding at ${failOn} or above; ${all}`;
  return `${verdict.blocking.length} finding(s) at ${failOn} or above: ${first}${more}; ${all}`;
}
