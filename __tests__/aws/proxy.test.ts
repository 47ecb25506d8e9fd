import { afterAll, afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fetchPrivateCredentials } from '../../src/aws/auth-tokens.js';
import { ecrApiHost, serviceEndpoint } from '../../src/aws/client-options.js';
import { createProxyAgents, proxyFor, redactProxy } from '../../src/aws/proxy.js';
import { loginPolicyFor } from '../fixtures/policy.js';
import { groupByRegion, parseRegistry } from '../../src/login/registries.js';

const savedEnv = { ...process.env };
const PROXY = new URL('http://proxy.corp:3128');
const ECR = 'https://api.ecr.eu-west-1.amazonaws.com';

function clearProxyEnv(): void {
  for (const name of ['NO_PROXY', 'no_proxy', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    Reflect.deleteProperty(process.env, name);
  }
}

beforeEach(clearProxyEnv);

afterEach(() => {
  for (const name of Object.keys(process.env)) {
    if (!(name in savedEnv)) Reflect.deleteProperty(process.env, name);
  }
  Object.assign(process.env, savedEnv);
});

describe('proxyFor', () => {
  test.each<[string, string, Record<string, string>, boolean]>([
    ['no NO_PROXY: proxied', ECR, {}, true],
    ['exact host', ECR, { NO_PROXY: 'api.ecr.eu-west-1.amazonaws.com' }, false],
    ['exact host, upper case', ECR, { NO_PROXY: 'API.ECR.EU-WEST-1.AMAZONAWS.COM' }, false],
    ['.suffix', ECR, { NO_PROXY: '.amazonaws.com' }, false],
    ['suffix without a dot matches whole labels', ECR, { NO_PROXY: 'amazonaws.com' }, false],
    ['a partial label does not match', ECR, { NO_PROXY: 'cr.eu-west-1.amazonaws.com' }, true],
    ['*', ECR, { NO_PROXY: '*' }, false],
    ['another host', ECR, { NO_PROXY: 'github.com,.internal' }, true],
    ['one of several, with spaces', ECR, { NO_PROXY: 'github.com, .amazonaws.com ,x' }, false],
    [
      'host:port with the default https port',
      ECR,
      { NO_PROXY: 'api.ecr.eu-west-1.amazonaws.com:443' },
      false,
    ],
    ['host:port with another port', ECR, { NO_PROXY: 'api.ecr.eu-west-1.amazonaws.com:8443' }, true],
    ['host:port of a custom endpoint', 'http://ecr.local:4566', { NO_PROXY: 'ecr.local:4566' }, false],
    ['lower-case no_proxy', ECR, { no_proxy: '.amazonaws.com' }, false],
    ['loopback 127.0.0.1 without NO_PROXY', 'http://127.0.0.1:4566', {}, false],
    ['loopback localhost without NO_PROXY', 'http://localhost:4566', {}, false],
    ['loopback [::1] without NO_PROXY', 'http://[::1]:4566', {}, false],
  ])('%s', (_name, endpoint, env, proxied) => {
    Object.assign(process.env, env);
    expect(proxyFor(new URL(endpoint), PROXY)).toBe(proxied ? PROXY : undefined);
  });

  test('no proxy configured: none, whatever NO_PROXY says', () => {
    expect(proxyFor(new URL(ECR), undefined)).toBeUndefined();
  });
});

describe('redactProxy', () => {
  test.each<[string, string]>([
    ['http://proxy.corp:3128', 'http://proxy.corp:3128/'],
    ['http://user:secret@proxy.corp:3128', 'http://***@proxy.corp:3128/'],
    ['http://user@proxy.corp:3128', 'http://***@proxy.corp:3128/'],
    ['https://:secret@proxy.corp', 'https://***@proxy.corp/'],
    ['http://us%40er:p%40ss%3Aw@proxy.corp:3128', 'http://***@proxy.corp:3128/'],
  ])('%s → %s', (proxy, shown) => {
    const url = new URL(proxy);
    expect(redactProxy(url)).toBe(shown);
    // The URL itself keeps its credentials for the proxy.
    expect(url.href).toBe(new URL(proxy).href);
  });
});

describe('serviceEndpoint', () => {
  test.each<[string, Record<string, string>, 'ECR' | 'ECR_PUBLIC', string]>([
    ['the public endpoint', {}, 'ECR', 'https://api.ecr.eu-west-1.amazonaws.com/'],
    [
      'AWS_ENDPOINT_URL_ECR',
      { AWS_ENDPOINT_URL_ECR: 'http://localhost:4566' },
      'ECR',
      'http://localhost:4566/',
    ],
    [
      'AWS_ENDPOINT_URL_ECR before AWS_ENDPOINT_URL',
      { AWS_ENDPOINT_URL_ECR: 'http://a:1', AWS_ENDPOINT_URL: 'http://b:2' },
      'ECR',
      'http://a:1/',
    ],
    ['AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: 'http://b:2' }, 'ECR', 'http://b:2/'],
    [
      'ECR_PUBLIC',
      { AWS_ENDPOINT_URL_ECR_PUBLIC: 'http://p:3', AWS_ENDPOINT_URL_ECR: 'http://a:1' },
      'ECR_PUBLIC',
      'http://p:3/',
    ],
    [
      'a malformed variable',
      { AWS_ENDPOINT_URL_ECR: 'not a url' },
      'ECR',
      'https://api.ecr.eu-west-1.amazonaws.com/',
    ],
  ])('%s', (_name, env, suffix, expected) => {
    expect(serviceEndpoint(env, suffix, 'api.ecr.eu-west-1.amazonaws.com').href).toBe(expected);
  });
});

describe('ecrApiHost: the host NO_PROXY is matched against is the one the SDK calls', () => {
  const sdk = new ECRClient({ region: 'us-east-1' });
  afterAll(() => {
    sdk.destroy();
  });

  test.each<[string, boolean]>(
    [
      'us-east-1',
      'eu-west-1',
      'us-gov-west-1',
      'cn-north-1',
      'cn-northwest-1',
      'eusc-de-east-1',
      'us-iso-east-1',
      'us-isob-east-1',
      'us-isof-south-1',
      'eu-isoe-west-1',
    ].flatMap((region): [string, boolean][] => [
      [region, false],
      [region, true],
    ]),
  )('%s, FIPS %s', (region, fips) => {
    const resolved = sdk.config.endpointProvider({ Region: region, UseFIPS: fips, UseDualStack: false });
    expect(ecrApiHost(region, fips)).toBe(resolved.url.hostname);
  });
});

interface ProxyLog {
  connects: { target: string; authorization: string | undefined }[];
}

/**
 * A CONNECT proxy on 127.0.0.1. `forward` maps a CONNECT target to where the tunnel really goes (the
 * targets have made-up names: only the proxy resolves them).
 */
async function startProxy(forward: (target: string) => number | undefined): Promise<{
  server: http.Server;
  url: (auth?: string) => URL;
  log: ProxyLog;
}> {
  const log: ProxyLog = { connects: [] };
  const server = http.createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    log.connects.push({ target: request.url ?? '', authorization: request.headers['proxy-authorization'] });
    const port = forward(request.url ?? '');
    if (port === undefined) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, log, url: (auth) => new URL(`http://${auth ? `${auth}@` : ''}127.0.0.1:${port}`) };
}

async function startServer(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function stop(...servers: (http.Server | net.Server)[]): Promise<void> {
  for (const server of servers) {
    if (server instanceof http.Server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function get(url: string, agent: http.Agent): Promise<string> {
  const request = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    request(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve(body);
      });
    }).on('error', reject);
  });
}

describe('createProxyAgents', () => {
  /** A plain TCP listener: records the first byte a client sends (0x16 opens a TLS handshake). */
  let listener: net.Server;
  beforeEach(() => {
    listener = net.createServer();
  });

  test('http proxy, http target: the request goes through a CONNECT tunnel, with decoded proxy credentials', async () => {
    const target = await startServer((request, response) => response.end(`hello ${request.url}`));
    const proxy = await startProxy((connect) =>
      connect === `ecr.example.test:${target.port}` ? target.port : undefined,
    );
    try {
      const { httpAgent } = createProxyAgents(proxy.url('us%40er:p%3Ass%40w'));
      const body = await get(`http://ecr.example.test:${target.port}/v2/`, httpAgent);
      expect(body).toBe('hello /v2/');
      expect(proxy.log.connects).toEqual([
        {
          target: `ecr.example.test:${target.port}`,
          authorization: `Basic ${Buffer.from('us@er:p:ss@w').toString('base64')}`,
        },
      ]);
    } finally {
      await stop(proxy.server, target.server);
    }
  });

  test('http proxy, https target: CONNECT to port 443, then TLS inside the tunnel', async () => {
    const firstByte = new Promise<number>((resolve) => {
      listener.on('connection', (socket: net.Socket) => {
        socket.once('data', (data: Buffer) => {
          resolve(data[0]!);
          socket.destroy();
        });
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const tlsPort = (listener.address() as AddressInfo).port;
    const proxy = await startProxy(() => tlsPort);
    try {
      const { httpsAgent } = createProxyAgents(proxy.url());
      await expect(get('https://api.ecr.eu-west-1.amazonaws.com/', httpsAgent)).rejects.toThrow();
      expect(proxy.log.connects).toEqual([
        { target: 'api.ecr.eu-west-1.amazonaws.com:443', authorization: undefined },
      ]);
      expect(await firstByte).toBe(0x16); // a TLS handshake record: the target is spoken to over TLS
    } finally {
      await stop(proxy.server, listener);
    }
  });

  test('https proxy: TLS to the proxy itself, on port 443 unless given', async () => {
    const received = new Promise<number>((resolve) => {
      listener.on('connection', (socket: net.Socket) => {
        socket.once('data', (data: Buffer) => {
          resolve(data[0]!);
          socket.destroy();
        });
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as AddressInfo).port;
    try {
      const agents = createProxyAgents(new URL(`https://127.0.0.1:${port}`));
      await expect(get('http://ecr.example.test/', agents.httpAgent)).rejects.toThrow();
      expect(await received).toBe(0x16);
      const defaults = createProxyAgents(new URL('https://proxy.corp'));
      const { proxyOptions } = defaults.httpsAgent as unknown as {
        proxyOptions: { host: string; port: number };
      };
      expect(proxyOptions).toEqual({ host: 'proxy.corp', port: 443 });
    } finally {
      await stop(listener);
    }
  });

  test('http proxy without a port: port 80', () => {
    const { httpAgent } = createProxyAgents(new URL('http://proxy.corp'));
    expect((httpAgent as unknown as { proxyOptions: unknown }).proxyOptions).toEqual({
      host: 'proxy.corp',
      port: 80,
    });
  });
});

describe('AWS calls through the proxy (real SDK)', () => {
  const A = '111111111111';
  const authorizationData = {
    authorizationData: [
      {
        authorizationToken: Buffer.from('AWS:via-proxy').toString('base64'),
        expiresAt: 1_900_000_000,
        proxyEndpoint: `https://${A}.dkr.ecr.eu-west-1.amazonaws.com`,
      },
    ],
  };

  beforeEach(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ENDPOINT_URL;
  });

  test.each<[string, (port: number) => string, boolean]>([
    ['a non-loopback endpoint goes through the proxy', (port) => `http://ecr.example.test:${port}`, true],
    ['a loopback endpoint bypasses it', (port) => `http://127.0.0.1:${port}`, false],
  ])('%s', async (_name, endpointFor, proxied) => {
    const ecr = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(authorizationData));
    });
    const proxy = await startProxy(() => ecr.port);
    try {
      process.env.AWS_ENDPOINT_URL_ECR = endpointFor(ecr.port);
      const credentials = await fetchPrivateCredentials(
        groupByRegion([{ accountId: A, region: 'eu-west-1', fips: false, dualStack: false }]),
        { maxAttempts: 1, proxy: proxy.url('ci:pw') },
        process.env,
        loginPolicyFor,
      );
      expect(credentials[0]!.password).toBe('via-proxy');
      expect(proxy.log.connects).toEqual(
        proxied
          ? [
              {
                target: `ecr.example.test:${ecr.port}`,
                authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}`,
              },
            ]
          : [],
      );
    } finally {
      await stop(proxy.server, ecr.server);
    }
  });

  test('the real ECR endpoint (https) goes through the proxy: CONNECT to port 443', async () => {
    delete process.env.AWS_ENDPOINT_URL_ECR;
    const proxy = await startProxy(() => undefined); // refuses every tunnel
    try {
      await expect(
        fetchPrivateCredentials(
          groupByRegion([{ accountId: A, region: 'eu-west-1', fips: false, dualStack: false }]),
          { maxAttempts: 1, proxy: proxy.url() },
          process.env,
          loginPolicyFor,
        ),
      ).rejects.toThrow(/ecr:GetAuthorizationToken in eu-west-1.*statusCode=403/);
      expect(proxy.log.connects).toEqual([
        { target: 'api.ecr.eu-west-1.amazonaws.com:443', authorization: undefined },
      ]);
    } finally {
      await stop(proxy.server);
    }
  });

  test.each<[string, string, string, string]>([
    [
      'a China registry, NO_PROXY for the standard partition',
      `${A}.dkr.ecr.cn-north-1.amazonaws.com.cn`,
      '.amazonaws.com',
      'api.ecr.cn-north-1.amazonaws.com.cn:443',
    ],
    [
      'an EU sovereign registry, NO_PROXY for the standard partition',
      `${A}.dkr.ecr.eusc-de-east-1.amazonaws.eu`,
      '.amazonaws.com',
      'api.ecr.eusc-de-east-1.amazonaws.eu:443',
    ],
    [
      'a FIPS registry, NO_PROXY for the non-FIPS API host',
      `${A}.dkr.ecr-fips.us-east-1.amazonaws.com`,
      'api.ecr.us-east-1.amazonaws.com',
      'api.ecr-fips.us-east-1.amazonaws.com:443',
    ],
  ])('%s: still proxied, to the host the SDK calls', async (_name, registry, noProxy, target) => {
    delete process.env.AWS_ENDPOINT_URL_ECR;
    process.env.NO_PROXY = noProxy;
    const spec = parseRegistry(registry, undefined);
    if (typeof spec === 'string') throw new Error(spec);
    const proxy = await startProxy(() => undefined); // refuses every tunnel: nothing leaves this machine
    try {
      await expect(
        fetchPrivateCredentials(
          groupByRegion([spec]),
          { maxAttempts: 1, proxy: proxy.url() },
          process.env,
          loginPolicyFor,
        ),
      ).rejects.toThrow(/statusCode=403/);
      expect(proxy.log.connects.map((connect) => connect.target)).toEqual([target]);
    } finally {
      await stop(proxy.server);
    }
  });
});
