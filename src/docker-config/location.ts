/** Creates the directory the docker config goes into, as the `docker-config` input chose it. */
import { lstatSync, promises as fs, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ActionError } from '../shared/errors.js';

/** Where the docker config goes, as the `docker-config` input chose it. */
export type DockerConfigChoice =
  { kind: 'default'; dir: string } | { kind: 'isolated'; parent: string } | { kind: 'path'; dir: string };

export async function prepareConfigDir(choice: DockerConfigChoice): Promise<string> {
  if (choice.kind === 'isolated') {
    await fs.mkdir(choice.parent, { recursive: true });
    // mkdtemp makes the directory 0700: other users of a shared runner cannot list or read it.
    return fs.mkdtemp(path.join(choice.parent, 'ecr-push-docker-'));
  }
  try {
    await fs.mkdir(choice.dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // Checked with the inputs already; this is for a file put there since.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
    throw new ActionError(
      `The docker config directory ${choice.dir} cannot be created: ${whyNotADirectory(choice.dir) ?? code}. ` +
        `Name a directory, or use 'docker-config: isolated'.`,
      { cause: error },
    );
  }
  return choice.dir;
}

/**
 * Why `dir` cannot hold docker's config.json (it is a file, or under one, or a link to nothing), or
 * undefined: it is a directory, or nothing yet (prepareConfigDir creates it), or cannot be looked at (the
 * error comes when it is used).
 */
export function whyNotADirectory(dir: string): string | undefined {
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return `${fileAbove(dir)} is a file`;
    if (code === 'ENOENT' && lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) {
      return `${dir} is a symbolic link to a path that does not exist`;
    }
    return undefined;
  }
  if (stat.isDirectory()) return undefined;
  return `${dir} is ${stat.isFile() ? 'a file' : 'not a directory'}`;
}

/** The nearest ancestor of `dir` that exists and is not a directory (ENOTDIR says there is one). */
function fileAbove(dir: string): string {
  for (let current = path.dirname(dir); current !== path.dirname(current); current = path.dirname(current)) {
    const stat = statSync(current, { throwIfNoEntry: false });
    if (stat && !stat.isDirectory()) return current;
  }
  return dir;
}

function isWithin(dir: string, parent: string): boolean {
  const relative = path.relative(parent, dir);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/** `dir` with links resolved as far as it exists (the rest of it is created later, as written). */
function resolvedAsFarAsItExists(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    const parent = path.dirname(dir);
    return parent === dir ? dir : path.join(resolvedAsFarAsItExists(parent), path.basename(dir));
  }
}

/** `dir` is `parent` or below it: as written, or once links are followed. */
export function isInsideDirectory(dir: string, parent: string): boolean {
  const absolute = path.resolve(dir);
  const absoluteParent = path.resolve(parent);
  return (
    isWithin(absolute, absoluteParent) ||
    isWithin(resolvedAsFarAsItExists(absolute), resolvedAsFarAsItExists(absoluteParent))
  );
}
