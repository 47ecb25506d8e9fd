import { describe, expect, jest, test } from '@jest/globals';
import { authValue } from '../../src/docker-config/merge.js';
import { maskSecrets } from '../../src/login/step.js';
import type { LoginPlan } from '../../src/login/plan.js';

const PLAN: LoginPlan = {
  logins: [
    { host: 'a.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', password: 'pw-one' },
    { host: 'b.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', password: 'pw-one' },
  ],
  registries: [],
  targets: [],
  accounts: new Map(),
  expiresAt: new Date(0),
};

function masked(maskPassword: boolean): string[] {
  const written: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  maskSecrets(PLAN, maskPassword);
  return written.flatMap((line) => [...line.matchAll(/^::add-mask::(.*)$/gm)].map((match) => match[1] ?? ''));
}

describe('maskSecrets', () => {
  test('the password and docker’s base64 auth value, each once', () => {
    expect(masked(true).sort()).toEqual([authValue('AWS', 'pw-one'), 'pw-one'].sort());
  });

  test('mask-password false: the base64 auth value is still masked, the password is not', () => {
    expect(masked(false)).toEqual([authValue('AWS', 'pw-one')]);
  });
});
