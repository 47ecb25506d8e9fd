/** Creates the directory the docker config goes into, as the `docker-config` input chose it. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DockerConfigChoice } from '../inputs.js';

export async function prepareConfigDir(choice: DockerConfigChoice): Promise<string> {
  if (choice.kind === 'isolated') {
    await fs.mkdir(choice.parent, { recursive: true });
    // mkdtemp makes the directory 0700: other users of a shared runner cannot list or read it.
    return fs.mkdtemp(path.join(choice.parent, 'ecr-push-docker-'));
  }
  await fs.mkdir(choice.dir, { recursive: true, mode: 0o700 });
  return choice.dir;
}
