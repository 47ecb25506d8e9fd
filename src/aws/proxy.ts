/**
 * Routes the AWS SDK through an HTTP(S) proxy. Uses the `tunnel` agents that @actions/http-client already
 * brings into the bundle (no extra bytes) and its NO_PROXY matcher, so our rules match the toolkit's.
 */
import { checkBypass } from '@actions/http-client/lib/proxy';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import * as tunnel from 'tunnel';

export interface ProxyAgents {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
}

/** The proxy to use for `endpoint`, or undefined when there is none or NO_PROXY exempts the endpoint. */
export function proxyFor(endpoint: URL, proxy: URL | undefined): URL | undefined {
  if (!proxy || checkBypass(endpoint)) return undefined;
  return proxy;
}

/** `http://user:pass@host:3128` → `http://***@host:3128`: proxy URLs are logged without credentials. */
export function redactProxy(proxy: URL): string {
  const shown = new URL(proxy.href);
  const hadCredentials = shown.username !== '' || shown.password !== '';
  shown.username = '';
  shown.password = '';
  return hadCredentials ? shown.href.replace('//', '//***@') : shown.href;
}

export function createProxyAgents(proxy: URL): ProxyAgents {
  const proxyAuth =
    proxy.username || proxy.password
      ? `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
      : undefined;
  const options = {
    proxy: {
      host: proxy.hostname,
      port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
      ...(proxyAuth === undefined ? {} : { proxyAuth }),
    },
  };
  const overHttps = proxy.protocol === 'https:';
  return {
    httpAgent: usableBySdk(overHttps ? tunnel.httpOverHttps(options) : tunnel.httpOverHttp(options)),
    // tunnel's typings call every agent an http.Agent; these two do speak TLS to the target.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    httpsAgent: usableBySdk(
      overHttps ? tunnel.httpsOverHttps(options) : tunnel.httpsOverHttp(options),
    ) as HttpsAgent,
  };
}

/**
 * NodeHttpHandler uses an agent as it is only when it is an http(s).Agent or has a destroy() method; it
 * takes anything else for agent options and connects directly, ignoring the proxy. tunnel's agents are
 * plain EventEmitters, so they get a destroy() (which closes the tunnels still open).
 */
function usableBySdk(agent: HttpAgent): HttpAgent {
  const sockets = (agent as unknown as { sockets: { destroy?: () => void }[] }).sockets;
  return Object.assign(agent, {
    destroy: () => {
      for (const socket of [...sockets]) socket.destroy?.();
    },
  });
}
