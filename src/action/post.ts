/**
 * The post step: removes exactly what the main step wrote (also after a main step that failed half-way),
 * restores what it replaced, and deletes an isolated config directory; first, with `cleanup: untagged`,
 * deletes the images the job's pushes left without a tag.
 */
import * as core from '@actions/core';
import { promises as fs } from 'node:fs';
import { undoCredentials } from '../docker-config/credentials-store.js';
import { loadPostState, readUndoFile, type PostState } from './state.js';

export async function runPost(): Promise<void> {
  const state = loadPostState();
  try {
    const { cleanup } = state;
    if (cleanup) {
      // Loaded here: the AWS SDK is only needed when there is something to clean up.
      const { cleanUntagged } = await import('../repository/cleanup-step.js');
      await core.group('Clean up untagged images', () => cleanUntagged(cleanup));
    }
  } finally {
    // A failed clean-up must not leave the credentials behind.
    await logout(state);
  }
}

async function logout(state: PostState): Promise<void> {
  if (state.skipLogout) {
    core.info('skip-logout is true: the registry credentials stay in the docker config.');
    return;
  }
  try {
    if (state.undoFile) await undoLogin(state.undoFile);
  } finally {
    // Even when restoring failed: an isolated directory holds nothing but our credentials.
    if (state.isolatedDir) {
      await fs.rm(state.isolatedDir, { recursive: true, force: true });
      core.info(`Removed the isolated docker config ${state.isolatedDir}.`);
    }
  }
}

async function undoLogin(undoFile: string): Promise<void> {
  const record = await readUndoFile(undoFile);
  if (record) {
    const result = await undoCredentials(record);
    if (result.undone.length > 0) core.info(`Logged out of ${result.undone.join(', ')}.`);
    for (const host of result.leftAlone) {
      core.info(`Left ${host} in ${record.configFile}: a later login has replaced our entry.`);
    }
  }
  await fs.rm(undoFile, { force: true });
}
