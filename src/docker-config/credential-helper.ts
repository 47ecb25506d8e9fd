/**
 * Docker's credential helper protocol (`docker-credential-<name> get|store|erase`), spoken as `docker
 * login` speaks it: the secret goes on standard input, never in an argument.
 */
import * as exec from '@actions/exec';
import { ActionError } from '../shared/errors.js';

export interface HelperCredentials {
  username: string;
  secret: string;
}

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function program(helper: string): string {
  // The name comes from a config file: keep it to a plain program name, never a path or an option.
  if (!HELPER_NAME.test(helper)) {
    throw new ActionError(
      `The docker config names a credential helper '${helper}' that is not a valid helper name.`,
    );
  }
  return `docker-credential-${helper}`;
}

async function run(helper: string, verb: 'get' | 'store' | 'erase', input: string) {
  try {
    return await exec.getExecOutput(program(helper), [verb], {
      input: Buffer.from(input, 'utf8'),
      silent: true,
      ignoreReturnCode: true,
    });
  } catch (error) {
    // @actions/exec throws when the program is not on PATH.
    throw new ActionError(
      `The docker config sends credentials to the credential helper '${helper}', but ${program(helper)} could not be run ` +
        `(${error instanceof Error ? error.message : String(error)}): install it, or use 'docker-config: isolated'.`,
    );
  }
}

/** The stored credentials, or undefined when the helper has none for `host`. */
export async function helperGet(helper: string, host: string): Promise<HelperCredentials | undefined> {
  const result = await run(helper, 'get', host);
  if (result.exitCode !== 0) return undefined;
  try {
    const parsed = JSON.parse(result.stdout) as { Username?: unknown; Secret?: unknown };
    if (typeof parsed.Username === 'string' && typeof parsed.Secret === 'string') {
      return { username: parsed.Username, secret: parsed.Secret };
    }
  } catch {
    // A helper that answers with something else has nothing usable for this host.
  }
  return undefined;
}

export async function helperStore(
  helper: string,
  host: string,
  credentials: HelperCredentials,
): Promise<void> {
  const payload = JSON.stringify({
    ServerURL: host,
    Username: credentials.username,
    Secret: credentials.secret,
  });
  const result = await run(helper, 'store', payload);
  if (result.exitCode !== 0) {
    const reason = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
    throw new ActionError(
      `The credential helper '${helper}' could not store the credentials for ${host} (exit ${result.exitCode}: ${reason}). ` +
        `Docker reads ${host} through that helper, so a config.json entry would be ignored: use 'docker-config: isolated'.`,
    );
  }
}

export async function helperErase(helper: string, host: string): Promise<boolean> {
  const result = await run(helper, 'erase', host);
  return result.exitCode === 0;
}
