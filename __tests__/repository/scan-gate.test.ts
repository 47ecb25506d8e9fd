import { describe, expect, test } from '@jest/globals';
import {
  describeVerdict,
  judgeFindings,
  type Finding,
  type Severity,
} from '../../src/repository/scan-gate.js';

const finding = (id: string, severity: string, packageName?: string): Finding => ({
  id,
  severity,
  ...(packageName ? { packageName } : {}),
});
const FINDINGS = [
  finding('CVE-2024-0003', 'MEDIUM'),
  finding('CVE-2024-0001', 'CRITICAL', 'openssl'),
  finding('CVE-2024-0002', 'HIGH'),
  finding('CVE-2024-0004', 'LOW'),
  finding('CVE-2024-0005', 'INFORMATIONAL'),
  finding('CVE-2024-0006', 'UNDEFINED'),
];

describe('judgeFindings', () => {
  test.each<[Severity, string[], string[]]>([
    ['CRITICAL', [], ['CVE-2024-0001']],
    ['HIGH', [], ['CVE-2024-0001', 'CVE-2024-0002']],
    ['MEDIUM', [], ['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003']],
    ['LOW', [], ['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003', 'CVE-2024-0004']],
    ['HIGH', ['CVE-2024-0001'], ['CVE-2024-0002']],
    ['CRITICAL', ['CVE-2024-0001'], []],
  ])('fail on %s, ignoring %j: blocking %j, worst first', (failOn, ignore, blocking) => {
    const verdict = judgeFindings(FINDINGS, { failOn, ignore });
    expect(verdict.blocking.map((entry) => entry.id)).toEqual(blocking);
    expect(verdict.ignored.map((entry) => entry.id)).toEqual(ignore);
    expect(verdict.bySeverity).toEqual({
      CRITICAL: 1,
      HIGH: 1,
      MEDIUM: 1,
      LOW: 1,
      INFORMATIONAL: 1,
      UNDEFINED: 1,
    });
  });

  test('severities in lower case (Inspector) count the same', () => {
    expect(
      judgeFindings([finding('CVE-1', 'critical')], { failOn: 'HIGH', ignore: [] }).blocking,
    ).toHaveLength(1);
  });
});

describe('describeVerdict', () => {
  test('names the worst five, then how many more, then every count', () => {
    const many = Array.from({ length: 7 }, (_, i) => finding(`CVE-2024-10${i}`, 'HIGH'));
    const text = describeVerdict(
      judgeFindings([finding('CVE-9', 'CRITICAL', 'zlib'), ...many], { failOn: 'HIGH', ignore: [] }),
      'HIGH',
    );
    expect(text).toBe(
      '8 finding(s) at HIGH or above: CVE-9 (CRITICAL, zlib), CVE-2024-100 (HIGH), CVE-2024-101 (HIGH), CVE-2024-102 (HIGH), CVE-2024-103 (HIGH) and 3 more; all findings: 1 CRITICAL, 7 HIGH',
    );
  });

  test('a pass says so', () => {
    expect(
      describeVerdict(judgeFindings([finding('CVE-1', 'LOW')], { failOn: 'HIGH', ignore: [] }), 'HIGH'),
    ).toBe('no finding at HIGH or above; all findings: 1 LOW');
    expect(describeVerdict(judgeFindings([], { failOn: 'HIGH', ignore: [] }), 'HIGH')).toBe(
      'no finding at HIGH or above; all findings: none',
    );
  });
});
