/**
 * ECR's replication of a pushed image into its destination regions and accounts
 * (DescribeImageReplicationStatus), polled until every destination is COMPLETE: a deploy job that pulls
 * in another region then never finds the image missing. Bounded: a timeout fails with what is pending.
 */
import { DescribeImageReplicationStatusCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { ActionError } from '../shared/errors.js';
import { ecrCall, type RepositoryTarget } from './repository.js';

export interface ReplicationWait extends RepositoryTarget {
  digest: string;
  /** Where the image is, for the messages: `host/repository@digest`. */
  where: string;
  timeoutMs: number;
  /** Injectable for tests; real time otherwise. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface ReplicationDestination {
  region: string;
  registryId: string;
  status: string;
}

const FIRST_POLL_MS = 1_000;
const MAX_POLL_MS = 10_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves the destinations, all COMPLETE (none when the registry replicates nowhere). */
export async function waitForReplication(
  client: ECRClient,
  wait: ReplicationWait,
): Promise<ReplicationDestination[]> {
  const sleep = wait.sleep ?? realSleep;
  const now = wait.now ?? Date.now;
  const deadline = now() + wait.timeoutMs;
  let pause = FIRST_POLL_MS;
  for (;;) {
    const response = await ecrCall(client, wait, 'ecr:DescribeImageReplicationStatus', () =>
      client.send(
        new DescribeImageReplicationStatusCommand({
          repositoryName: wait.name,
          imageId: { imageDigest: wait.digest },
          ...(wait.registryId ? { registryId: wait.registryId } : {}),
        }),
      ),
    );
    const destinations = (response.replicationStatuses ?? []).map((entry) => ({
      region: entry.region ?? '?',
      registryId: entry.registryId ?? '?',
      status: entry.status ?? 'IN_PROGRESS',
      failureCode: entry.failureCode,
    }));
    const failed = destinations.find((entry) => entry.status === 'FAILED');
    if (failed) {
      throw new ActionError(
        `Replication of ${wait.where} to ${failed.registryId} in ${failed.region} FAILED (${failed.failureCode ?? 'no reason given'}): ` +
          'check the replication rule and, for another account, its registry policy; then re-run the job.',
      );
    }
    const pending = destinations.filter((entry) => entry.status !== 'COMPLETE');
    if (pending.length === 0)
      return destinations.map(({ region, registryId, status }) => ({ region, registryId, status }));
    if (now() + pause > deadline) {
      throw new ActionError(
        `Replication of ${wait.where} is not COMPLETE after ${Math.round(wait.timeoutMs / 1000)} s: still ` +
          `${pending.map((entry) => `${entry.status} in ${entry.registryId}/${entry.region}`).join(', ')}. ` +
          'Fix: raise wait-for-replication (seconds), or check the replication rule.',
      );
    }
    await sleep(pause);
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
}
