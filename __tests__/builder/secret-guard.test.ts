import { describe, expect, test } from '@jest/globals';
import { refuseSecretsInImage } from '../../src/builder/secret-guard.js';
import { ActionError } from '../../src/shared/errors.js';

const PASSWORD = 'eyJwYXlsb2FkIjoic2VjcmV0In0';
const LOGINS = [
  { host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', password: PASSWORD },
];

describe('a registry password never goes into the image', () => {
  test.each<[string, [string, string][], Record<string, string>, RegExp]>([
    [
      'a build arg',
      [['TOKEN', PASSWORD]],
      {},
      /^build-args TOKEN holds the registry password of 123456789012/,
    ],
    ['a build arg holding it inside', [['URL', `https://AWS:${PASSWORD}@x`]], {}, /^build-args URL/],
    ['a label', [], { 'org.example.token': PASSWORD }, /^labels org\.example\.token holds/],
  ])('%s is refused, pointing at secrets', (_name, buildArgs, labels, message) => {
    expect(() => {
      refuseSecretsInImage(LOGINS, buildArgs, labels);
    }).toThrow(ActionError);
    expect(() => {
      refuseSecretsInImage(LOGINS, buildArgs, labels);
    }).toThrow(message);
    expect(() => {
      refuseSecretsInImage(LOGINS, buildArgs, labels);
    }).toThrow(/with 'secrets'/);
  });

  test('ordinary values pass', () => {
    expect(() => {
      refuseSecretsInImage(LOGINS, [['VERSION', '1.2.3']], { 'org.opencontainers.image.version': '1.2.3' });
    }).not.toThrow();
  });

  test('the error never repeats the password', () => {
    let message = '';
    try {
      refuseSecretsInImage(LOGINS, [['T', PASSWORD]], {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^build-args T holds/);
    expect(message).not.toContain(PASSWORD);
  });
});
