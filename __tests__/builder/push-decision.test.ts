import { describe, expect, test } from '@jest/globals';
import type { PushChoice } from '../../src/builder/inputs.js';
import { decidePush, type PushDecision } from '../../src/builder/push-decision.js';

type Row = [PushChoice, string, boolean, PushDecision['withoutCredentials']];

describe('decidePush', () => {
  test.each<Row>([
    ['auto', 'push', true, 'build-only'],
    ['auto', 'pull_request', false, 'build-only'],
    ['auto', 'pull_request_target', false, 'build-only'],
    ['auto', 'schedule', true, 'build-only'],
    ['auto', 'workflow_dispatch', true, 'build-only'],
    ['auto', '', true, 'build-only'],
    ['true', 'push', true, 'fail'],
    ['true', 'pull_request', true, 'fail'],
    ['true', 'pull_request_target', true, 'fail'],
    ['true', 'schedule', true, 'fail'],
    ['true', 'workflow_dispatch', true, 'fail'],
    ['true', '', true, 'fail'],
    ['false', 'push', false, 'build-only'],
    ['false', 'pull_request', false, 'build-only'],
    ['false', 'pull_request_target', false, 'build-only'],
    ['false', 'schedule', false, 'build-only'],
    ['false', 'workflow_dispatch', false, 'build-only'],
    ['false', '', false, 'build-only'],
  ])('push: %s on event %j: push %s, without credentials %s', (choice, event, push, withoutCredentials) => {
    expect(decidePush(choice, event)).toMatchObject({ push, withoutCredentials });
  });

  test.each(['pull_request', 'pull_request_target'])(
    'the reason a %s is not pushed, and the fix',
    (event) => {
      expect(decidePush('auto', event).reason).toBe(
        `a ${event} event: the image is built to check it, not pushed (set push: true to push)`,
      );
    },
  );

  test.each<[PushChoice, string, string]>([
    ['auto', 'push', 'push: auto'],
    ['auto', '', 'push: auto'],
    ['true', 'pull_request', 'push: true'],
    ['false', 'push', 'push: false'],
  ])('push: %s on %j gives the reason %j', (choice, event, reason) => {
    expect(decidePush(choice, event).reason).toBe(reason);
  });
});
