// Which builder a build test file runs under. Every build scenario runs twice: `<name>.test.mjs` under
// the classic builder (`builder: docker`, the system's dockerd 20.10) and `<name>.buildx.test.mjs`, which
// sets E2E_BUILDER=buildx and imports the same file, under buildx on the BuildKit engine (dockerd 26,
// containerd image store). GitHub's runners have buildx, so `builder: auto` means buildx for most users.
import { ensureBuildkitDaemon } from './buildkit.mjs';
import { ensureDockerd } from './docker.mjs';

export const BUILDER = process.env.E2E_BUILDER === 'buildx' ? 'buildx' : 'docker';

/** `[buildx] name` under buildx, so the two halves of the suite tell their results apart. */
export function named(name) {
  return BUILDER === 'buildx' ? `[buildx] ${name}` : name;
}

/**
 * Starts (or finds) the daemon this file's builder needs and points every docker client of the test
 * process, and so every step it runs, at it (DOCKER_HOST). Resolves `{ available, reason, inputs, stop }`;
 * `inputs` is the `builder` input for the action.
 */
export async function startBuilder() {
  if (BUILDER === 'buildx') {
    const daemon = await ensureBuildkitDaemon();
    if (daemon.available) process.env.DOCKER_HOST = daemon.host;
    return { ...daemon, inputs: { builder: 'buildx' } };
  }
  delete process.env.DOCKER_HOST;
  const daemon = await ensureDockerd();
  return { ...daemon, inputs: { builder: 'docker' } };
}
