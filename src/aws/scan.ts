/**
 * ECR's scan of a pushed image: started when the repository did not scan on push, polled until it is
 * COMPLETE (bounded), then every finding read over all pages. Basic scanning's findings and enhanced
 * (Inspector) scanning's come from the same API in two shapes; both become one Finding list.
 */
import {
  DescribeImageScanFindingsCommand,
  StartImageScanCommand,
  type DescribeImageScanFindingsResponse,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { ActionError } from '../shared/errors.js';
import { poll, type PollClock } from '../shared/poll.js';
import type { Finding } from '../repository/scan-gate.js';
import { ecrCall, ecrCallExpecting, repositoryIdOf, type RepositoryTarget } from './repository.js';

export interface ScanWait extends RepositoryTarget, PollClock {
  digest: string;
  where: string;
  timeoutMs: number;
}

function findingsOf(page: DescribeImageScanFindingsResponse): Finding[] {
  const basic = (page.imageScanFindings?.findings ?? []).map((finding) => ({
    id: finding.name ?? '(unnamed)',
    severity: finding.severity ?? 'UNDEFINED',
    ...(finding.uri ? { uri: finding.uri } : {}),
  }));
  const enhanced = (page.imageScanFindings?.enhancedFindings ?? []).map((finding) => {
    const details = finding.packageVulnerabilityDetails;
    const packageName = details?.vulnerablePackages?.[0]?.name;
    return {
      id: details?.vulnerabilityId ?? finding.title ?? '(unnamed)',
      severity: finding.severity ?? 'UNDEFINED',
      ...(details?.sourceUrl ? { uri: details.sourceUrl } : {}),
      ...(packageName ? { packageName } : {}),
    };
  });
  return [...basic, ...enhanced];
}

/** The image's findings once its scan is COMPLETE. */
export async function scanFindings(client: ECRClient, wait: ScanWait): Promise<Finding[]> {
  const request = (nextToken?: string) =>
    new DescribeImageScanFindingsCommand({
      ...repositoryIdOf(wait),
      imageId: { imageDigest: wait.digest },
      maxResults: 1000,
      ...(nextToken ? { nextToken } : {}),
    });
  let started = false;
  return poll(
    async () => {
      const first = await ecrCallExpecting(
        client,
        wait,
        'ecr:DescribeImageScanFindings',
        'ScanNotFoundException',
        () => client.send(request()),
      );
      if (first === undefined) {
        // The repository does not scan on push (or the scan is not registered yet): start one, once.
        if (!started) {
          await ecrCall(client, wait, 'ecr:StartImageScan', () =>
            client.send(
              new StartImageScanCommand({ ...repositoryIdOf(wait), imageId: { imageDigest: wait.digest } }),
            ),
          );
          started = true;
        }
        return undefined;
      }
      const status = first.imageScanStatus?.status ?? 'IN_PROGRESS';
      if (status === 'IN_PROGRESS' || status === 'PENDING') return undefined;
      if (status !== 'COMPLETE' && status !== 'ACTIVE') {
        throw new ActionError(
          `The scan of ${wait.where} ended ${status}${first.imageScanStatus?.description ? ` (${first.imageScanStatus.description})` : ''}: ` +
            "the gate cannot judge the image, so its moving tags were not applied. Fix: check the repository's scanning configuration, or set scan-fail-on: none.",
        );
      }
      const findings = findingsOf(first);
      for (let token = first.nextToken, pages = 1; token && pages < 1000; pages += 1) {
        const page = await ecrCall(client, wait, 'ecr:DescribeImageScanFindings', () =>
          client.send(request(token)),
        );
        findings.push(...findingsOf(page));
        token = page.nextToken;
      }
      return findings;
    },
    {
      ...wait,
      firstMs: 2_000,
      maxMs: 15_000,
      timedOut: () =>
        new ActionError(
          `The scan of ${wait.where} did not complete within ${Math.round(wait.timeoutMs / 1000)} s: its moving tags were not applied. Fix: raise scan-timeout, or re-run the job.`,
        ),
    },
  );
}
