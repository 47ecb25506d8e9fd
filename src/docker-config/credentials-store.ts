/**
 * Writes registry credentials where docker will read them (config.json `auths`, or the credential helper
 * that docker consults first for that host), and takes exactly those writes back.
 */
import { promises as fs } from 'node:fs';
import { helperErase, helperGet, helperStore, type HelperCredentials } from './credential-helper.js';
import { resolveConfigFile, readTextIfExists, withFileLock, writeFileAtomic } from './file.js';
import {
  detectLayout,
  DOCKER_LAYOUT,
  parseConfig,
  serializeConfig,
  type DockerConfig,
  type Layout,
} from './format.js';
import { addAuths, destinationFor, removeAuths, type FileChange, type Login } from './merge.js';

export interface HelperChange {
  host: string;
  helper: string;
  /** What the helper held before, put back by the post step. */
  previous?: HelperCredentials;
}

/** Everything the post step needs to undo a login. Holds previous credentials: keep it 0600. */
export interface UndoRecord {
  configFile: string;
  /** config.json did not exist: remove it again if nothing else was added to it meanwhile. */
  createdFile: boolean;
  hadAuthsKey: boolean;
  layout: Layout;
  fileChanges: FileChange[];
  helperChanges: HelperChange[];
}

export interface UndoResult {
  undone: string[];
  leftAlone: string[];
}

/**
 * `persist` is called before every write, with the record as it will be once the write is done, so that
 * the post step can undo a login that failed or was killed half-way (say, a credential helper that refused
 * the second host). A record of a write that never happened undoes nothing: the post step only takes back
 * an entry that holds exactly what we wrote.
 */
export async function storeCredentials(
  dir: string,
  logins: readonly Login[],
  persist: (record: UndoRecord) => Promise<void>,
): Promise<UndoRecord> {
  const configFile = await resolveConfigFile(dir);
  const { record, config } = await withFileLock(configFile, async () => {
    const text = await readTextIfExists(configFile);
    const current = parseConfig(text ?? '', configFile);
    const viaFile = logins.filter((login) => destinationFor(current, login.host).kind === 'file');
    const layout = text === undefined ? DOCKER_LAYOUT : detectLayout(text);
    const { config: next, changes } = addAuths(current, viaFile);
    const intended: UndoRecord = {
      configFile,
      createdFile: text === undefined && changes.length > 0,
      hadAuthsKey: current.auths !== undefined,
      layout,
      fileChanges: changes,
      helperChanges: [],
    };
    if (changes.length > 0) {
      await persist(intended);
      await writeFileAtomic(configFile, serializeConfig(next, layout));
    }
    return { record: intended, config: current };
  });

  // Outside the lock: a helper may be slow (a keychain, gpg), and it keeps its own store consistent.
  for (const login of logins) {
    const destination = destinationFor(config, login.host);
    if (destination.kind !== 'helper') continue;
    const previous = await helperGet(destination.helper, login.host);
    record.helperChanges.push({
      host: login.host,
      helper: destination.helper,
      ...(previous ? { previous } : {}),
    });
    await persist(record);
    try {
      await helperStore(destination.helper, login.host, { username: login.username, secret: login.password });
    } catch (error) {
      // Refused: nothing stored for this host, nothing for the post step to undo there. Should this
      // persist fail, the post step puts back what the helper already holds, or erases nothing there.
      record.helperChanges.pop();
      await persist(record).catch(() => undefined);
      throw error;
    }
  }
  return record;
}

function isEmpty(config: DockerConfig): boolean {
  return Object.keys(config).length === 0;
}

export async function undoCredentials(record: UndoRecord): Promise<UndoResult> {
  const undone: string[] = [];
  const leftAlone: string[] = [];
  for (const change of record.helperChanges) {
    if (change.previous) await helperStore(change.helper, change.host, change.previous);
    else await helperErase(change.helper, change.host);
    undone.push(change.host);
  }
  if (record.fileChanges.length === 0) return { undone, leftAlone };

  await withFileLock(record.configFile, async () => {
    const text = await readTextIfExists(record.configFile);
    if (text === undefined) return;
    const result = removeAuths(parseConfig(text, record.configFile), record.fileChanges, record.hadAuthsKey);
    undone.push(...result.undone);
    leftAlone.push(...result.leftAlone);
    if (record.createdFile && isEmpty(result.config)) {
      await fs.rm(record.configFile, { force: true });
    } else if (result.undone.length > 0) {
      await writeFileAtomic(record.configFile, serializeConfig(result.config, record.layout));
    }
  });
  return { undone, leftAlone };
}
