/**
 * ECR's replication of a pushed image into its destination regions and accounts
 * (DescribeImageReplicationStatus), polled until every destination is COMPLETE: a deploy job that pulls
 * in another region then never finds the image missing. Bounded: a timeout fails with what is pending.
 */
import { DescribeImageReplicationStatusCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { ActionError } from '../shared/errors.js';
import { poll, type PollClock } from '../shared/poll.js';
import { ecrCall, type RepositoryTarget } from './repository.js';

export interface ReplicationWait extends RepositoryTarget, PollClock {
  digest: string;
  /** Where the image is, for the messages: `host/repository@digest`. */
  where: string;
  timeoutMs: number;
}

export interface ReplicationDestination {
  region: string;
  registryId: string;
  status: string;
}

/** Resolves the destinations, all COMPLETE (none when the registry replicates nowhere). */
export async function waitForReplication(
  client: ECRClient,
  wait: ReplicationWait,
): Promise<ReplicationDestination[]> {
  let pending: ReplicationDestination[] = [];
  return poll(
    async () => {
      const response = await ecrCall(client, wait, 'ecr:DescribeImageReplicationStatus', () =>
        client.send(
          new DescribeImageReplicationStatusCommand({
            repositoryName: wait.name,
            imageId: { imageDigest: wait.digest },
            ...(wait.registryId ? { registryId: wait.registryId } : {}),
          }),
        ),
      );
      const statuses = response.replicationStatuses ?? [];
      const failed = statuses.find((entry) => entry.status === 'FAILED');
      if (failed) {
        throw new ActionError(
          `Replication of ${wait.where} to ${failed.registryId ?? '?'} in ${failed.region ?? '?'} FAILED (${failed.failureCode ?? 'no reason given'}): ` +
            'check the replication rule and, for another account, its registry policy; then re-run the job.',
        );
      }
      const destinations = statuses.map((entry) => ({
        region: entry.region ?? '?',
        registryId: entry.registryId ?? '?',
        status: entry.status ?? 'IN_PROGRESS',
      }));
      pending = destinations.filter((entry) => entry.status !== 'COMPLETE');
      return pending.length === 0 ? destinations : undefined;
    },
    {
      ...wait,
      firstMs: 1_000,
      maxMs: 10_000,
      timedOut: () =>
        new ActionError(
          `Replication of ${wait.where} is not COMPLETE after ${Math.round(wait.timeoutMs / 1000)} s: still ` +
            `${pending.map((entry) => `${entry.status} in ${entry.registryId}/${entry.region}`).join(', ')}. ` +
            'Fix: raise wait-for-replication (seconds), or check the replication rule.',
        ),
    },
  );
}
