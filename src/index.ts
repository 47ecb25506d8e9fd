/** The action's entry for both steps: the post step is the same file, told apart by the saved state. */
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
