/**
 * The action's main entry (action.yml `main:`). The post step has its own bundle (src/post-entry.ts); this
 * file still runs the post step when it is started with the main step's saved state, as older pins of the
 * action.yml did.
 */
import * as core from '@actions/core';
import { messageOf } from './shared/errors.js';
import { runMain } from './action/main.js';
import { runPost } from './action/post.js';
import { isPost } from './action/state.js';

async function run(): Promise<void> {
  try {
    await (isPost() ? runPost() : runMain());
  } catch (error) {
    core.setFailed(messageOf(error));
  }
}

await run();
