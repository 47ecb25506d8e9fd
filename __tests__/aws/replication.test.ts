import { describe, expect, test } from '@jest/globals';
import { DescribeImageReplicationStatusCommand } from '@aws-sdk/client-ecr';
import 'aws-sdk-client-mock-jest';
import { waitForReplication, type ReplicationWait } from '../../src/aws/replication.js';
import { ActionError } from '../../src/shared/errors.js';
import { fakeClock } from '../fixtures/fake-clock.js';
import { ACCOUNT, accessDenied, useMockedEcr } from '../fixtures/ecr-mock.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const mocked = useMockedEcr();

/** A wait on a clock of its own: each sleep moves it on, so no test waits for real. */
function wait(timeoutMs = 60_000): ReplicationWait & { slept: number[] } {
  return {
    name: 'team/app',
    registryId: ACCOUNT,
    policyFor: (action) => `{"Action":"${action}"}`,
    digest: DIGEST,
    where: `registry/team/app@${DIGEST}`,
    timeoutMs,
    ...fakeClock(),
  };
}

const status = (
  status: 'COMPLETE' | 'FAILED' | 'IN_PROGRESS',
  region = 'us-east-1',
  failureCode?: string,
) => ({
  region,
  registryId: ACCOUNT,
  status,
  ...(failureCode ? { failureCode } : {}),
});

describe('waitForReplication', () => {
  test('polls, backing off, until every destination is COMPLETE', async () => {
    mocked
      .ecr()
      .on(DescribeImageReplicationStatusCommand)
      .resolvesOnce({ replicationStatuses: [status('IN_PROGRESS'), status('IN_PROGRESS', 'ap-south-1')] })
      .resolvesOnce({ replicationStatuses: [status('COMPLETE'), status('IN_PROGRESS', 'ap-south-1')] })
      .resolves({ replicationStatuses: [status('COMPLETE'), status('COMPLETE', 'ap-south-1')] });
    const options = wait();
    const destinations = await waitForReplication(mocked.client(), options);
    expect(destinations.map((entry) => entry.region)).toEqual(['us-east-1', 'ap-south-1']);
    expect(options.slept).toEqual([1000, 2000]);
    expect(mocked.ecr()).toHaveReceivedCommandWith(DescribeImageReplicationStatusCommand, {
      repositoryName: 'team/app',
      registryId: ACCOUNT,
      imageId: { imageDigest: DIGEST },
    });
  });

  test('a registry that replicates nowhere: done at once', async () => {
    mocked.ecr().on(DescribeImageReplicationStatusCommand).resolves({ replicationStatuses: [] });
    const options = wait();
    expect(await waitForReplication(mocked.client(), options)).toEqual([]);
    expect(options.slept).toEqual([]);
  });

  test('a FAILED destination fails at once, naming it and its reason', async () => {
    mocked
      .ecr()
      .on(DescribeImageReplicationStatusCommand)
      .resolves({ replicationStatuses: [status('FAILED', 'eu-central-1', 'REPLICATION_POLICY_DENIED')] });
    const failure = waitForReplication(mocked.client(), wait());
    await expect(failure).rejects.toThrow(ActionError);
    await expect(failure).rejects.toThrow(
      /to 111111111111 in eu-central-1 FAILED \(REPLICATION_POLICY_DENIED\)/,
    );
  });

  test('the timeout fails with what is still pending and the fix, after a bounded number of polls', async () => {
    mocked
      .ecr()
      .on(DescribeImageReplicationStatusCommand)
      .resolves({ replicationStatuses: [status('IN_PROGRESS', 'us-west-2')] });
    const options = wait(30_000);
    await expect(waitForReplication(mocked.client(), options)).rejects.toThrow(
      /not COMPLETE after 30 s: still IN_PROGRESS in 111111111111\/us-west-2\. Fix: raise wait-for-replication/,
    );
    expect(options.slept).toEqual([1000, 2000, 4000, 8000, 10000]);
  });

  test('AccessDenied names the action and the policy', async () => {
    mocked
      .ecr()
      .on(DescribeImageReplicationStatusCommand)
      .rejects(accessDenied('ecr:DescribeImageReplicationStatus'));
    await expect(waitForReplication(mocked.client(), wait())).rejects.toThrow(
      /may not call ecr:DescribeImageReplicationStatus/,
    );
  });
});
