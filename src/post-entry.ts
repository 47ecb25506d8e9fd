/**
 * The post step's own bundle (action.yml `post:`): it loads only what logging out needs, so every job's
 * post step starts quickly; the clean-up of untagged images loads the AWS SDK itself, when it is asked for.
 */
import * as core from '@actions/core';
import { messageOf } from './shared/errors.js';
import { runPost } from './action/post.js';

try {
  await runPost();
} catch (error) {
  core.setFailed(messageOf(error));
}
