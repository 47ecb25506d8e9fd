// Registries that fail the data plane while the ECR API is fine: one that answers docker's `/v2/` ping
// and then drops every other connection (docker retries each layer upload with growing pauses), and a
// port where nothing listens (a registry that went away after the login).
import http from 'node:http';
import { freePort } from './proc.mjs';

/**
 * A "registry" on 127.0.0.1 that answers `GET /v2/` with 200 (so docker goes on to upload) and drops the
 * connection of every other request. Records `{ time, method, url }` per request.
 * @returns {Promise<{host: string, url: string, requests: Array<{time: number, method: string, url: string}>, close(): Promise<void>}>}
 */
export async function startDroppingRegistry() {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    requests.push({ time: Date.now(), method: req.method, url: req.url });
    if (req.url === '/v2/' || req.url === '/v2') {
      res.writeHead(200, {
        'content-type': 'application/json',
        'docker-distribution-api-version': 'registry/2.0',
      });
      res.end('{}');
      return;
    }
    req.socket.destroy();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const host = `127.0.0.1:${server.address().port}`;
  return {
    host,
    url: `http://${host}`,
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `127.0.0.1:<port>` with nothing listening on it right now. */
export async function deadRegistryHost() {
  return `127.0.0.1:${await freePort()}`;
}
