import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../../src/shared/errors.js';
import { parseTagRules } from '../../../src/image/tags/rules.js';

describe('parseTagRules: what is accepted', () => {
  test('an empty input is sha, branch and tag', () => {
    expect(parseTagRules('').map((rule) => [rule.type, rule.line])).toEqual([
      ['sha', 'type=sha'],
      ['branch', 'type=branch'],
      ['tag', 'type=tag'],
    ]);
  });

  test.each<[string, string, Record<string, unknown>]>([
    ['sha defaults', 'type=sha', { type: 'sha', length: 7, enable: true, prefix: { source: 'sha-' } }],
    ['sha length', 'type=sha,length=8', { length: 8 }],
    ['sha format=long', 'type=sha,format=long', { length: 'full' }],
    ['sha format=short', 'type=sha,format=short', { length: 7 }],
    ['an explicit empty prefix', 'type=sha,prefix=', { prefix: { source: '', segments: [] } }],
    ['pr default prefix', 'type=pr', { type: 'pr', prefix: { source: 'pr-' } }],
    ['branch has no prefix', 'type=branch', { type: 'branch', prefix: { source: '' } }],
    [
      'keys and words are case-insensitive',
      'Type=SHA,Length=8,Enable=FALSE',
      { type: 'sha', length: 8, enable: false },
    ],
    ['spaces around items', ' type=sha , length=8 ', { type: 'sha', length: 8, line: 'type=sha , length=8' }],
    [
      'enable={{is_default_branch}}',
      'type=branch,enable={{is_default_branch}}',
      { enable: 'default-branch' },
    ],
    [
      'enable={{ is_not_default_branch }}',
      'type=branch,enable={{ is_not_default_branch }}',
      { enable: 'not-default-branch' },
    ],
    ['semver default pattern', 'type=semver', { type: 'semver', pattern: { source: '{{version}}' } }],
    ['semver match', 'type=semver,match=v(\\d.*)', { match: /v(\d.*)/ }],
    ['semver value', 'type=semver,value=1.2.3', { value: '1.2.3' }],
    [
      'upstream',
      'type=upstream,version=8.0.12,revision=c15,floating=TRUE',
      { type: 'upstream', revision: 'c15', floating: true, version: { text: '8.0.12', semver: '8.0.12' } },
    ],
    [
      'raw with a quoted comma',
      'type=raw,"value={{date \'YYYY,MM\'}}"',
      { type: 'raw', value: { source: "{{date 'YYYY,MM'}}" } },
    ],
    ['a value holding =', 'type=raw,value=a=b', { value: { source: 'a=b' } }],
  ])('%s', (_name, text, expected) => {
    const [rule] = parseTagRules(text);
    expect(rule).toMatchObject(expected);
  });

  test('one rule per line, comments and blank lines skipped, each keeping its own text', () => {
    const rules = parseTagRules('# releases\ntype=semver,pattern={{major}}\n\ntype=sha,length=8\r\n');
    expect(rules.map((rule) => rule.line)).toEqual(['type=semver,pattern={{major}}', 'type=sha,length=8']);
  });
});

describe('parseTagRules: what is refused, and the fix', () => {
  test.each<[string, string]>([
    ['type=foo', 'the type is one of sha, branch, tag, pr, semver, upstream, raw'],
    [
      'type=ref,event=branch',
      "type=ref,event=... is docker/metadata-action's spelling; write type=branch, type=tag or type=pr",
    ],
    ['sha', "'sha' is not key=value; start each line with type=... (for a fixed tag: type=raw,value=sha)"],
    [
      'type:sha',
      "'type:sha' is not key=value; start each line with type=... (for a fixed tag: type=raw,value=type:sha)",
    ],
    ['=sha', "'=sha' is not key=value; start each line with type=... (for a fixed tag: type=raw,value==sha)"],
    ['prefix=x-', 'each rule needs a type=, such as type=sha or type=semver,pattern={{version}}'],
    ['type=sha,type=branch', "'type' is given twice; keep one"],
    ['type=sha,length=3', 'length= takes a whole number from 4 to 64 (7 by default)'],
    ['type=sha,length=65', 'length= takes a whole number from 4 to 64 (7 by default)'],
    ['type=sha,length=eight', 'length= takes a whole number from 4 to 64 (7 by default)'],
    ['type=sha,length=-8', 'length= takes a whole number from 4 to 64 (7 by default)'],
    ['type=sha,format=long,length=8', 'format=long is the full commit id; drop length= or format=long'],
    [
      'type=sha,format=medium',
      'format= takes short (length= characters, 7 by default) or long (the full commit id)',
    ],
    ['type=sha,pattern={{version}}', "type=sha takes enable, prefix, suffix, length, format, not 'pattern'"],
    ['type=branch,value=x', "type=branch takes enable, prefix, suffix, not 'value'"],
    ['type=raw,value=x,priority=100', "type=raw takes enable, prefix, suffix, value, not 'priority'"],
    [
      'type=sha,enable=maybe',
      'enable= takes true, false, {{is_default_branch}} or {{is_not_default_branch}}',
    ],
    [
      'type=sha,enable=${{ github.ref }}',
      'enable= takes true, false, {{is_default_branch}} or {{is_not_default_branch}}',
    ],
    [
      'type=sha,prefix={{foo}}-',
      "prefix: '{{foo}}' is not a placeholder here; use {{branch}}, {{tag}}, {{sha}}, {{base_ref}}, {{run_number}}, {{date}}, {{commit_date}}",
    ],
    [
      'type=semver,pattern={{major}}.{{minr}}',
      "pattern: '{{minr}}' is not a placeholder here; use {{major}}, {{minor}}, {{patch}}, {{version}}, {{raw}}",
    ],
    [
      'type=semver,pattern=stable',
      'pattern= needs a placeholder: {{version}}, {{major}}.{{minor}}, {{major}} or {{raw}}',
    ],
    [
      'type=semver,pattern={{major}',
      "pattern: '{{major}' has an unmatched '{{' or '}}'; write placeholders as {{name}}, or {{date 'YYYYMMDD'}}",
    ],
    [
      'type=semver,match=(unclosed',
      'match= is not a valid regex (Invalid regular expression: /(unclosed/: Unterminated group); escape special characters, e.g. release-(\\d+\\.\\d+\\.\\d+)',
    ],
    ['type=semver,match=', 'match= is empty; give a regex whose first group is the version, such as v(.*)'],
    ['type=upstream', 'type=upstream needs version=, such as version=8.0.12,revision=c15'],
    ['type=upstream,revision=c15', 'type=upstream needs version=, such as version=8.0.12,revision=c15'],
    [
      'type=upstream,version=eight',
      "version 'eight' is not an upstream version; write 1 to 4 numbers such as 8.0.12, optionally with -rc1",
    ],
    [
      'type=upstream,version=1.2.3.4.5',
      "version '1.2.3.4.5' is not an upstream version; write 1 to 4 numbers such as 8.0.12, optionally with -rc1",
    ],
    ['type=upstream,version=8.0.12,revision=', 'revision= is empty; drop it or give one, such as c15'],
    [
      'type=upstream,version=8.0.12,revision=c 15',
      "revision 'c 15' must be letters, digits, '.', '_' or '-' (starting with a letter or digit), such as c15",
    ],
    [
      'type=upstream,version=8.0.12,revision=-c15',
      "revision '-c15' must be letters, digits, '.', '_' or '-' (starting with a letter or digit), such as c15",
    ],
    [
      'type=upstream,version=8.0.12,floating=yes',
      'floating= takes true (also tag MAJOR.MINOR and MAJOR) or false',
    ],
    ['type=raw', 'type=raw needs value=, such as value=edge or value={{branch}}-{{sha}}'],
    ['type=raw,value=', 'type=raw needs value=, such as value=edge or value={{branch}}-{{sha}}'],
    [
      "type=raw,value={{date 'YYYYMMDDThhmm'}}",
      "value: date format 'YYYYMMDDThhmm' has 'T'; use YYYY, YY, MM, DD, HH, mm, ss and separators such as - . _",
    ],
    ["type=raw,value={{sha 'x'}}", "value: {{sha}} takes no argument ('x')"],
    [
      'type=raw,value={{version}}',
      "value: '{{version}}' is not a placeholder here; use {{branch}}, {{tag}}, {{sha}}, {{base_ref}}, {{run_number}}, {{date}}, {{commit_date}}",
    ],
  ])('%j', (text, accepted) => {
    expect(() => parseTagRules(text)).toThrow(new InputError('tags', text, accepted));
  });

  test('the message names the input, the rule and the fix in one line', () => {
    expect(() => parseTagRules('type=sha\ntype=sha,length=3')).toThrow(
      "Input 'tags': 'type=sha,length=3' is not valid; length= takes a whole number from 4 to 64 (7 by default).",
    );
  });
});
