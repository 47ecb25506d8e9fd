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
import type { Finding } from '../repository/scan-gate.js';
import { ecrCall, ecrCallExpecting, repositoryIdOf, type RepositoryTarget } from './repository.js';

export interface ScanWait extends RepositoryTarget {
  digest: string;
  where: string;
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const FIRST_POLL_MS = 2_000;
const MAX_POLL_MS = 15_000;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  const sleep = wait.sleep ?? realSleep;
  const now = wait.now ?? Date.now;
  const deadline = now() + wait.timeoutMs;
  const request = (nextToken?: string) =>
    new DescribeImageScanFindingsCommand({
      ...repositoryIdOf(wait),
      imageId: { imageDigest: wait.digest },
      maxResults: 1000,
      ...(nextToken ? { nextToken } : {}),
    });
  let started = false;
  let pause = FIRST_POLL_MS;
  for (;;) {
    const first = await ecrCallExpecting(
      client,
      wait,
      'ecr:DescribeImageScanFindings',
      'ScanNotFoundException',
      () => client.send(request()),
    );
    if (first === undefined) {
      // The repository does not scan on push (or the scan has not been registered yet): start one.
      if (!started) {
        await ecrCall(client, wait, 'ecr:StartImageScan', () =>
          client.send(
            new StartImageScanCommand({ ...repositoryIdOf(wait), imageId: { imageDigest: wait.digest } }),
          ),
        );
        started = true;
      }
    } else {
      const status = first.imageScanStatus?.status ?? 'IN_PROGRESS';
      if (status === 'COMPLETE' || status === 'ACTIVE') {
        const findings = findingsOf(first);
        for (let token = first.nextToken, pages = 1; token && pages < 1000; pages += 1) {
          const page = await ecrCall(client, wait, 'ecr:DescribeImageScanFindings', () =>
            client.send(request(token)),
          );
          findings.push(...findingsOf(page));
          token = page.nextToken;
        }
        return findings;
      }
      if (status !== 'IN_PROGRESS' && status !== 'PENDING') {
        throw new ActionError(
          `The scan of ${wait.where} ended ${status}${first.imageScanStatus?.description ? ` (${first.imageScanStatus.description})` : ''}: ` +
            "the gate cannot judge the image, so its moving tags were not applied. Fix: check the repository's scanning configuration, or set scan-fail-on: none.",
        );
      }
    }
    if (now() + pause > deadline) {
      throw new ActionError(
        `The scan of ${wait.where} did not complete within ${Math.round(wait.timeoutMs / 1000)} s: its moving tags were not applied. Fix: raise scan-timeout, or re-run the job.`,
      );
    }
    await sleep(pause);
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
}
