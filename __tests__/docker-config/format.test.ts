import { describe, expect, test } from '@jest/globals';
import { ActionError } from '../../src/shared/errors.js';
import {
  detectLayout,
  DOCKER_LAYOUT,
  parseConfig,
  serializeConfig,
  type Layout,
} from '../../src/docker-config/format.js';

const config = { auths: { 'ghcr.io': { auth: 'dXNlcjpwdw==' } }, credsStore: '', detachKeys: 'ctrl-e,e' };

describe('detectLayout', () => {
  test.each<[string, string, Layout]>([
    [
      'docker: tabs, no final newline',
      JSON.stringify(config, null, '\t'),
      { indent: '\t', finalNewline: false },
    ],
    [
      'tabs with a final newline',
      `${JSON.stringify(config, null, '\t')}\n`,
      { indent: '\t', finalNewline: true },
    ],
    ['2 spaces, final newline', `${JSON.stringify(config, null, 2)}\n`, { indent: '  ', finalNewline: true }],
    ['2 spaces, no final newline', JSON.stringify(config, null, 2), { indent: '  ', finalNewline: false }],
    ['4 spaces', `${JSON.stringify(config, null, 4)}\n`, { indent: '    ', finalNewline: true }],
    ['CRLF line ends keep the indent', '{\r\n  "a": 1\r\n}\r\n', { indent: '  ', finalNewline: true }],
    ['one line: docker default indent', '{"auths":{}}', { indent: '\t', finalNewline: false }],
    ['empty object with a newline', '{}\n', { indent: '\t', finalNewline: true }],
  ])('%s', (_name, text, layout) => {
    expect(detectLayout(text)).toEqual(layout);
  });

  test.each<[string, string]>([
    ['tabs', JSON.stringify(config, null, '\t')],
    ['2 spaces + newline', `${JSON.stringify(config, null, 2)}\n`],
    ['4 spaces', JSON.stringify(config, null, 4)],
  ])('parse + serialize gives back the same bytes: %s', (_name, text) => {
    expect(serializeConfig(parseConfig(text, 'config.json'), detectLayout(text))).toBe(text);
  });

  test('a new file is written as docker writes it: tabs, no final newline', () => {
    expect(DOCKER_LAYOUT).toEqual({ indent: '\t', finalNewline: false });
    expect(serializeConfig({ auths: {} }, DOCKER_LAYOUT)).toBe('{\n\t"auths": {}\n}');
  });
});

describe('parseConfig', () => {
  test.each<[string, string, object]>([
    ['empty file', '', {}],
    ['white space only', ' \n\t', {}],
    [
      'an object, unknown keys kept',
      '{"auths":{},"x-custom":[1,{"y":null}]}',
      { auths: {}, 'x-custom': [1, { y: null }] },
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseConfig(text, '/home/u/.docker/config.json')).toEqual(expected);
  });

  test.each<[string, string, RegExp]>([
    [
      'invalid JSON',
      '{"auths": {',
      /^\/cfg\/config\.json is not valid JSON \(.+\): fix or remove it, or use 'docker-config: isolated'/,
    ],
    ['trailing comma', '{"a": 1,}', /is not valid JSON/],
    [
      'an array',
      '[]',
      /^\/cfg\/config\.json does not hold a JSON object: .* or use 'docker-config: isolated'\.$/,
    ],
    ['null', 'null', /does not hold a JSON object/],
    ['a string', '"auths"', /does not hold a JSON object/],
    ['a number', '42', /does not hold a JSON object/],
  ])('%s is refused with advice', (_name, text, message) => {
    const run = () => parseConfig(text, '/cfg/config.json');
    expect(run).toThrow(ActionError);
    expect(run).toThrow(message);
  });
});
