/**
 * Reads and writes docker's config.json text while keeping its layout: the indentation and final newline
 * the file already had (docker itself writes tabs and no final newline), so a login followed by a logout
 * gives back the same bytes.
 */
import { ActionError } from '../shared/errors.js';

export interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

/** Only the keys we read; every other key is carried through untouched. */
export interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export interface Layout {
  indent: string;
  finalNewline: boolean;
}

/** What docker writes for a new file. */
export const DOCKER_LAYOUT: Layout = { indent: '\t', finalNewline: false };

export function detectLayout(text: string): Layout {
  const firstIndented = /\n([ \t]+)\S/.exec(text);
  return { indent: firstIndented?.[1] ?? DOCKER_LAYOUT.indent, finalNewline: text.endsWith('\n') };
}

export function parseConfig(text: string, file: string): DockerConfig {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ActionError(
      `${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}): fix or remove it, ` +
        `or use 'docker-config: isolated' to write a separate config.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ActionError(
      `${file} does not hold a JSON object: fix or remove it, or use 'docker-config: isolated'.`,
    );
  }
  return parsed as DockerConfig;
}

export function serializeConfig(config: DockerConfig, layout: Layout): string {
  return JSON.stringify(config, null, layout.indent) + (layout.finalNewline ? '\n' : '');
}
