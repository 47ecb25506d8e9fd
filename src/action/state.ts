/**
 * What the main step leaves for the post step. The runner passes state as STATE_* variables, so it holds
 * no secret: credentials that must be restored go to an undo file (0600) under RUNNER_TEMP, which the
 * runner deletes at the end of the job in any case.
 */
import * as core from '@actions/core';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { UndoRecord } from '../docker-config/credentials-store.js';
import type { CleanupState } from '../repository/cleanup-step.js';

import { writeFileAtomic } from '../docker-config/file.js';

const KEYS = {
  isPost: 'isPost',
  undoFile: 'undoFile',
  isolatedDir: 'isolatedDir',
  skipLogout: 'skipLogout',
  cleanup: 'cleanup',
} as const;

export interface PostState {
  cleanup?: CleanupState;
  undoFile?: string;
  isolatedDir?: string;
  skipLogout: boolean;
}

export function markMainStarted(): void {
  core.saveState(KEYS.isPost, 'true');
}

export function isPost(): boolean {
  return core.getState(KEYS.isPost) === 'true';
}

export function saveSkipLogout(skip: boolean): void {
  core.saveState(KEYS.skipLogout, String(skip));
}

export function saveIsolatedDir(dir: string): void {
  core.saveState(KEYS.isolatedDir, dir);
}

export function saveCleanup(cleanup: CleanupState): void {
  core.saveState(KEYS.cleanup, JSON.stringify(cleanup));
}

export function loadPostState(): PostState {
  const cleanup = core.getState(KEYS.cleanup);
  const undoFile = core.getState(KEYS.undoFile);
  const isolatedDir = core.getState(KEYS.isolatedDir);
  return {
    ...(cleanup ? { cleanup: JSON.parse(cleanup) as CleanupState } : {}),
    ...(undoFile ? { undoFile } : {}),
    ...(isolatedDir ? { isolatedDir } : {}),
    skipLogout: core.getState(KEYS.skipLogout) === 'true',
  };
}

/** Returns a `persist` callback that keeps one undo file up to date and records its path in the state. */
export function undoFileWriter(tempDir: string | undefined): (record: UndoRecord) => Promise<void> {
  const file = path.join(
    tempDir || os.tmpdir(),
    `ecr-push-action-undo-${randomBytes(6).toString('hex')}.json`,
  );
  let saved = false;
  return async (record) => {
    await writeFileAtomic(file, JSON.stringify(record));
    if (!saved) core.saveState(KEYS.undoFile, file);
    saved = true;
  };
}

export async function readUndoFile(file: string): Promise<UndoRecord | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as UndoRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
