import { describe, expect, test } from '@jest/globals';
import {
  DescribeImageScanFindingsCommand,
  ECRServiceException,
  StartImageScanCommand,
} from '@aws-sdk/client-ecr';
import 'aws-sdk-client-mock-jest';
import { scanFindings, type ScanWait } from '../../src/aws/scan.js';
import { fakeClock } from '../fixtures/fake-clock.js';
import { ACCOUNT, useMockedEcr } from '../fixtures/ecr-mock.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const mocked = useMockedEcr();

function wait(timeoutMs = 60_000): ScanWait & { slept: number[] } {
  return {
    name: 'team/app',
    registryId: ACCOUNT,
    policyFor: () => '{}',
    digest: DIGEST,
    where: `registry/team/app@${DIGEST}`,
    timeoutMs,
    ...fakeClock(),
  };
}

const scanNotFound = () =>
  new ECRServiceException({
    name: 'ScanNotFoundException',
    $fault: 'client',
    message: 'Image scan does not exist',
    $metadata: { httpStatusCode: 400 },
  });

describe('scanFindings', () => {
  test('no scan yet: one is started, polled until COMPLETE, findings read over every page', async () => {
    mocked
      .ecr()
      .on(DescribeImageScanFindingsCommand)
      .rejectsOnce(scanNotFound())
      .resolvesOnce({ imageScanStatus: { status: 'IN_PROGRESS' } })
      .resolvesOnce({
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: { findings: [{ name: 'CVE-1', severity: 'HIGH', uri: 'https://x/CVE-1' }] },
        nextToken: 'page-2',
      })
      .resolves({
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          enhancedFindings: [
            {
              severity: 'CRITICAL',
              packageVulnerabilityDetails: {
                vulnerabilityId: 'CVE-2',
                sourceUrl: 'https://x/CVE-2',
                vulnerablePackages: [{ name: 'openssl' }],
              },
            },
          ],
        },
      });
    mocked.ecr().on(StartImageScanCommand).resolves({});
    const options = wait();
    expect(await scanFindings(mocked.client(), options)).toEqual([
      { id: 'CVE-1', severity: 'HIGH', uri: 'https://x/CVE-1' },
      { id: 'CVE-2', severity: 'CRITICAL', uri: 'https://x/CVE-2', packageName: 'openssl' },
    ]);
    expect(mocked.ecr()).toHaveReceivedCommandTimes(StartImageScanCommand, 1);
    const asks = mocked.ecr().commandCalls(DescribeImageScanFindingsCommand);
    expect(asks.map((call) => call.args[0].input.nextToken)).toEqual([
      undefined,
      undefined,
      undefined,
      'page-2',
    ]);
    expect(options.slept).toEqual([2000, 4000]);
  });

  test.each([['FAILED'], ['UNSUPPORTED_IMAGE'], ['FINDINGS_UNAVAILABLE']])(
    'a scan that ends %s fails: the gate cannot judge the image',
    async (status) => {
      mocked
        .ecr()
        .on(DescribeImageScanFindingsCommand)
        .resolves({ imageScanStatus: { status: status as 'FAILED' } });
      await expect(scanFindings(mocked.client(), wait())).rejects.toThrow(
        new RegExp(`ended ${status}.*moving tags were not applied`),
      );
    },
  );

  test('the timeout is bounded and says what to do', async () => {
    mocked
      .ecr()
      .on(DescribeImageScanFindingsCommand)
      .resolves({ imageScanStatus: { status: 'IN_PROGRESS' } });
    const options = wait(20_000);
    await expect(scanFindings(mocked.client(), options)).rejects.toThrow(
      /did not complete within 20 s.*raise scan-timeout/,
    );
    expect(options.slept).toEqual([2000, 4000, 8000]);
  });
});
