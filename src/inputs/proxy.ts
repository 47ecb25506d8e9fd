/**
 * The proxy for AWS API calls: the one input both steps read. It has a module of its own so the post
 * step's clean-up reads it without loading every other input's parser (the rest of inputs.ts).
 */
import { InputError } from '../shared/errors.js';
import { readInput } from './read.js';

type Env = Record<string, string | undefined>;

/** A proxy URL, as the input or a *_PROXY variable gives it; `host:port` alone means http. */
export function parseProxy(source: string, value: string): URL | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InputError(
      source,
      redactUrlText(trimmed),
      'expected a proxy URL such as http://proxy.example:3128',
    );
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new InputError(
      source,
      redactUrlText(trimmed),
      'expected an http:// or https:// proxy URL such as http://proxy.example:3128',
    );
  }
  return url;
}

/**
 * Hides `user:password@` in a URL-like text that may not parse, so an error never prints a password: all of
 * it up to the last `@` (a password may hold `@` or `/`), with or without a scheme.
 */
export function redactUrlText(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[\s\S]*@/i, '$1***@');
}

/** `http-proxy`, else HTTPS_PROXY, then HTTP_PROXY (either case); NO_PROXY is applied per call later. */
export function resolveProxy(value: string, env: Env): URL | undefined {
  if (value.trim() !== '') return parseProxy('http-proxy', value);
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    const fromEnv = env[name];
    if (fromEnv?.trim()) return parseProxy(name, fromEnv);
  }
  return undefined;
}

/** The proxy alone, for the post step's clean-up calls (the runner gives the post step the same inputs). */
export function getProxySetting(env: Env = process.env): URL | undefined {
  return resolveProxy(readInput('http-proxy'), env);
}
