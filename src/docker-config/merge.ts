/**
 * Pure edits of a docker config: where docker will look for a registry's credentials, adding our `auths`
 * entries, and taking exactly those entries back out.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { AuthEntry, DockerConfig } from './format.js';

export interface Login {
  host: string;
  username: string;
  password: string;
}

/**
 * Docker asks `credHelpers[host]`, then `credsStore`, and reads `auths` only when neither is set: an `auths`
 * entry under a credential store is silently ignored, so such hosts must go through the helper.
 */
export type Destination =
  { kind: 'file' } | { kind: 'helper'; helper: string; setBy: 'credHelpers' | 'credsStore' };

export function destinationFor(config: DockerConfig, host: string): Destination {
  const perHost = config.credHelpers?.[host];
  if (typeof perHost === 'string' && perHost !== '')
    return { kind: 'helper', helper: perHost, setBy: 'credHelpers' };
  if (typeof config.credsStore === 'string' && config.credsStore !== '') {
    return { kind: 'helper', helper: config.credsStore, setBy: 'credsStore' };
  }
  return { kind: 'file' };
}

/** What one `auths` write replaced, so the post step can put it back. */
export interface FileChange {
  host: string;
  previous?: AuthEntry;
  /** sha256 of the `auth` value we wrote: the post step restores only an entry still holding it. */
  writtenHash: string;
}

export function authValue(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

export function hashAuth(auth: string): string {
  return createHash('sha256').update(auth).digest('hex');
}

export function addAuths(
  config: DockerConfig,
  logins: readonly Login[],
): { config: DockerConfig; changes: FileChange[] } {
  const auths: Record<string, AuthEntry> = { ...(config.auths ?? {}) };
  const changes: FileChange[] = [];
  for (const login of logins) {
    const previous = auths[login.host];
    const auth = authValue(login.username, login.password);
    // Only `auth`, as `docker login` writes it: a stale identitytoken beside it would win over the password.
    auths[login.host] = { auth };
    const alreadyChanged = changes.find((change) => change.host === login.host);
    if (alreadyChanged) {
      alreadyChanged.writtenHash = hashAuth(auth);
    } else {
      changes.push({ host: login.host, ...(previous ? { previous } : {}), writtenHash: hashAuth(auth) });
    }
  }
  return { config: { ...config, auths }, changes };
}

export interface RemoveResult {
  config: DockerConfig;
  /** Hosts whose entry we removed or restored. */
  undone: string[];
  /** Hosts that another login has written since ours: left as they are. */
  leftAlone: string[];
}

/**
 * Takes our entries back out, restoring what they replaced. An entry that no longer holds what we wrote
 * belongs to a later login (another step or job on the same runner) and is left alone. `changes` may
 * describe a write that never happened: an entry still as it was before is not ours to touch.
 */
export function removeAuths(
  config: DockerConfig,
  changes: readonly FileChange[],
  hadAuthsKey: boolean,
): RemoveResult {
  const auths: Record<string, AuthEntry> = { ...(config.auths ?? {}) };
  const removed = new Set<string>();
  const undone: string[] = [];
  const leftAlone: string[] = [];
  for (const change of changes) {
    const current = auths[change.host];
    // Gone, or holding what it held before us (our write never happened: the undo record is saved first).
    if (!current || (change.previous && isDeepStrictEqual(current, change.previous))) continue;
    if (typeof current.auth !== 'string' || hashAuth(current.auth) !== change.writtenHash) {
      leftAlone.push(change.host);
      continue;
    }
    if (change.previous) auths[change.host] = change.previous;
    else removed.add(change.host);
    undone.push(change.host);
  }
  const kept = Object.fromEntries(Object.entries(auths).filter(([host]) => !removed.has(host)));
  const { auths: _ours, ...rest } = config;
  // A config that had no `auths` key before our login gets none back.
  const next: DockerConfig =
    !hadAuthsKey && Object.keys(kept).length === 0 ? rest : { ...config, auths: kept };
  return { config: next, undone, leftAlone };
}
