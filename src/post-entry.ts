/**
 * The post step's own bundle (action.yml `post:`): it loads only what logging out needs, so every job's
 * post step starts quickly; the clean-up of untagged images loads the AWS SDK itself, when it is asked for.
 */
import * as core from '@actions/core';
import { messageOf } from './errors.js';
import { runPost } from './post.js';

try {
  await runPost();
} catch (error) {
  core.setFailed(messageOf(error));
}
