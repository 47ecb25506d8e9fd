import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientOptions, type Timeouts } from '../../src/aws/client-options.js';

/** A local stand-in for the ECR API: answers at once, or never. */
let server: http.Server;
let endpoint: URL;
let answer: boolean;
let requests: number;

beforeEach(async () => {
  answer = true;
  requests = 0;
  server = http.createServer((request, response) => {
    requests++;
    request.resume();
    if (!answer) return; // a hung call: no status, no headers, the connection kept open
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ authorizationData: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(maxAttempts: number, timeouts?: Timeouts) {
  const options = clientOptions('eu-west-1', { maxAttempts, endpoint }, {}, timeouts);
  const ecr = new ECRClient({
    ...options,
    endpoint: endpoint.href,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' },
  });
  return { ecr, handler: options.requestHandler };
}

/** The call's outcome, or 'still waiting' once `boundMs` has passed: a hung call fails the test, not the run. */
async function settle(call: Promise<unknown>, boundMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => {
      resolve('still waiting');
    }, boundMs);
  });
  try {
    const outcome = await Promise.race([
      call.then(
        () => 'answered' as const,
        (error: unknown) => error as Error,
      ),
      bound,
    ]);
    return { outcome, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

describe('clientOptions: the HTTP handler', () => {
  test('connection and request time-outs, and a request time-out that throws', async () => {
    const { ecr, handler } = client(1);
    await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(handler.httpHandlerConfigs()).toMatchObject({
      connectionTimeout: 5_000,
      requestTimeout: 15_000,
      throwOnRequestTimeout: true,
    });
    ecr.destroy();
  });

  test('a server that never answers: the call fails once requestTimeout has passed, it does not hang', async () => {
    answer = false;
    const { ecr, handler } = client(1, { requestMs: 300 });
    const { outcome, ms } = await settle(ecr.send(new GetAuthorizationTokenCommand({})), 5_000);
    ecr.destroy();
    expect(outcome).toMatchObject({ name: 'TimeoutError' });
    expect((outcome as Error).message).toContain('300 ms requestTimeout');
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(3_000);
    expect(requests).toBe(1);
    expect(handler.httpHandlerConfigs()).toMatchObject({
      connectionTimeout: 5_000,
      requestTimeout: 300,
      throwOnRequestTimeout: true,
    });
  }, 10_000);

  test('a timed-out call is retried, within max-attempts', async () => {
    answer = false;
    const { ecr } = client(2, { requestMs: 200 });
    const { outcome } = await settle(ecr.send(new GetAuthorizationTokenCommand({})), 5_000);
    ecr.destroy();
    expect(outcome).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 2 } });
    expect(requests).toBe(2);
  }, 10_000);
});
