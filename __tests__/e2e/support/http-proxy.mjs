// A tiny forward proxy on 127.0.0.1 for the proxy scenarios: CONNECT tunnels and absolute-URI
// requests, Basic proxy authentication, and a fixed name table instead of DNS, so a step can be
// pointed at a non-loopback name (which the action's NO_PROXY rules do not exempt) that still
// ends at a stand-in on 127.0.0.1. Every request is recorded; nothing ever leaves the machine.
import http from 'node:http';
import net from 'node:net';

const CONNECT_TIMEOUT_MS = 5000;

function splitHostPort(authority, defaultPort) {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(authority);
  if (!match) return null;
  return { host: match[1].toLowerCase(), port: Number(match[2] ?? defaultPort) };
}

/**
 * @param {object} [options]
 * @param {{username: string, password: string}} [options.credentials] required Basic credentials
 * @param {Record<string, string>} [options.hosts] name → IP address (only 127.0.0.1 makes sense)
 * @returns {Promise<{url: string, port: number, urlWith(username: string, password: string): string,
 *   requests: object[], close(): Promise<void>}>}
 */
export async function startProxy({ credentials, hosts = {} } = {}) {
  const names = Object.fromEntries(Object.entries(hosts).map(([name, ip]) => [name.toLowerCase(), ip]));
  const expected = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : null;
  const requests = [];
  const sockets = new Set();

  /** Where the proxy would send a request for `host`: only names in the table, never the network. */
  function resolve(host) {
    if (host in names) return names[host];
    return host === '127.0.0.1' ? host : null;
  }

  function check(req) {
    const record = {
      time: Date.now(),
      method: req.method,
      target: req.url,
      authorized: expected === null || req.headers['proxy-authorization'] === expected,
      // Who asked, never the password: the records may end up in an assertion message.
      user: userOf(req.headers['proxy-authorization']),
      status: null,
    };
    requests.push(record);
    return record;
  }

  const server = http.createServer((req, res) => {
    const record = check(req);
    const reply = (status, headers = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-length': 0, connection: 'close', ...headers });
      res.end();
    };
    if (!record.authorized) return reply(407, { 'proxy-authenticate': 'Basic realm="e2e"' });
    let target;
    try {
      target = new URL(req.url);
    } catch {
      return reply(400);
    }
    const ip = target.protocol === 'http:' ? resolve(target.hostname.toLowerCase()) : null;
    if (!ip) return reply(502);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      {
        host: ip,
        port: Number(target.port || 80),
        method: req.method,
        path: target.pathname + target.search,
        headers,
      },
      (answer) => {
        record.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) reply(502);
      else res.destroy();
    });
    req.pipe(upstream);
  });

  server.on('connect', (req, client, head) => {
    const record = check(req);
    const refuse = (status, extra = '') => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${extra}Content-Length: 0\r\n\r\n`);
    };
    client.on('error', () => {});
    if (!record.authorized) return refuse(407, 'Proxy-Authenticate: Basic realm="e2e"\r\n');
    const where = splitHostPort(req.url, 443);
    const ip = where ? resolve(where.host) : null;
    if (!ip) return refuse(502);
    const upstream = net.connect({ host: ip, port: where.port, timeout: CONNECT_TIMEOUT_MS });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.once('timeout', () => upstream.destroy());
    upstream.once('error', () => {
      if (record.status === null) refuse(502);
      else client.destroy();
    });
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head?.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.once('close', () => upstream.destroy());
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((ready, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ready);
  });
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    urlWith: (username, password) =>
      `http://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

function userOf(header) {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(0, colon);
}
