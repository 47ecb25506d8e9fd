/** The action's entry for both steps: the post step is the same file, told apart by the saved state. */
import * as core from '@actions/core';
import { messageOf } from './errors.js';
import { runMain } from './main.js';
import { runPost } from './post.js';
import { isPost } from './state.js';

async function run(): Promise<void> {
  try {
    await (isPost() ? runPost() : runMain());
  } catch (error) {
    core.setFailed(messageOf(error));
  }
}

await run();
