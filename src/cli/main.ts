#!/usr/bin/env node
/**
 * `ecr-push`: the action's engine for any CI system (Travis, Bitbucket Pipelines, Codeship, GitLab,
 * CircleCI, a plain checkout). Reads the command line, detects the CI system for the git facts, runs the
 * command and prints the result as text or JSON. Exit codes: 0 done, 1 failed, 2 a usage error.
 */
import { readFileSync } from 'node:fs';
import { detectCiContext, parseCiSystem } from '../ci-context/index.js';
import { createGitReader } from '../ci-context/git-reader.js';
import { InputError, messageOf } from '../shared/errors.js';
import { parseInvocation, type Invocation } from './args.js';
import { runCommand } from './commands.js';
import { helpText } from './help.js';
import { PlainTextFilter } from './workflow-commands.js';

const VERSION = '0.1.0';

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, env);
  } catch (error) {
    process.stderr.write(`ecr-push: ${messageOf(error)}\n`);
    return 2;
  }
  if (invocation.command === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (invocation.command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // With --json, stdout carries the result alone; the log goes to stderr.
  const log = invocation.json ? process.stderr : process.stdout;
  const filter = new PlainTextFilter();
  const readGitContext = () => {
    const system = invocation.ci === undefined ? undefined : parseCiSystem(invocation.ci, 'ci');
    const detected = detectCiContext(env, {
      readFile: (file) => readFileSync(file, 'utf8'),
      git: createGitReader(process.cwd()),
      ...(system === undefined ? {} : { system }),
    });
    log.write(`CI system: ${detected.system}\n`);
    return detected.context;
  };
  try {
    const done = await runCommand({ invocation, env, readGitContext, step: { log, filter } });
    if (invocation.json) process.stdout.write(`${filter.mask(JSON.stringify(done.result, null, 2))}\n`);
    else if (done.text.length > 0) process.stdout.write(`${filter.mask(done.text.join('\n'))}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${filter.mask(messageOf(error))}\n`);
    return error instanceof InputError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2), process.env);
