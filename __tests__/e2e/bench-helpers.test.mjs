// The build bench's own reading of logs and results (bench/build.mjs), so its figures can be trusted:
// which steps a build ran, where the main step's time went, and what `--write` keeps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildOptions, buildSteps, mergeBuildResults, segmentsOf } from '../../bench/build.mjs';

describe('bench: build steps read from the builder log', () => {
  test('BuildKit plain progress: steps by their id, cache hits', () => {
    const log = [
      '#1 [internal] load build definition from Dockerfile',
      '#4 [1/2] COPY hello.txt /',
      '#4 CACHED',
      '#5 [2/2] COPY payload.bin /payload.bin',
      '#5 DONE 0.1s',
      '#6 [stage-1 1/1] COPY --from=build /out /',
      '#6 DONE 0.0s',
      '#7 exporting to image',
    ].join('\n');
    assert.deepEqual(buildSteps(log, 'buildx'), { steps: 3, cached: 1 });
  });

  test('the classic builder: steps, cache hits, intermediate containers', () => {
    const log = [
      'Step 1/3 : FROM scratch',
      'Step 2/3 : COPY hello.txt /',
      ' ---> Using cache',
      'Step 3/3 : RUN true',
      ' ---> Running in 0123abcd',
    ].join('\n');
    assert.deepEqual(buildSteps(log), { steps: 3, cached: 1, containers: 1 });
  });
});

describe('bench: where the main step spends its time', () => {
  const line = (at, text) => ({ at, line: text });

  test('buildx: the build-and-push segment ends at the Build phase line', () => {
    const timeline = [
      line(100, '::group::Resolve tags and labels'),
      line(130, 'Builder: buildx. Pushing.'),
      line(180, 'Log in to Amazon ECR: 0.05 s.'),
      line(200, 'Repository and tag plan: 0.02 s.'),
      line(210, '[command]/usr/bin/docker buildx build --push'),
      line(1210, 'Build: 1.0 s.'),
    ];
    assert.deepEqual(segmentsOf(timeline, 1250, 'buildx'), {
      'start-up: spawn to first log line': 100,
      'tags, labels, builder probe': 30,
      login: 50,
      'repository and tag plan': 20,
      'until docker buildx build starts': 10,
      'docker buildx build --push': 1000,
      'outputs, summary, exit': 40,
    });
  });

  test('a log without a phase line gives no breakdown rather than a wrong one', () => {
    assert.equal(segmentsOf([line(100, 'Builder: buildx. Pushing.')], 200, 'buildx'), null);
  });
});

describe('bench: options and what --write records', () => {
  test('both builders unless one is named; the results file is not written unless asked', () => {
    assert.deepEqual(buildOptions([]).builders, ['docker', 'buildx']);
    assert.equal(buildOptions([]).write, false);
    assert.deepEqual(buildOptions(['--builder', 'buildx', '--write']), {
      runs: 11,
      payloadKb: 1024,
      builders: ['buildx'],
      write: true,
    });
    assert.throws(() => buildOptions(['--builder', 'kaniko']), /must be docker, buildx or both, not kaniko/);
  });

  test('a measured builder replaces its figures, the other keeps its own, old one-builder results go', () => {
    const target = (builder, value) => ({ builder, value, limit: 1.05, met: value <= 1.05 });
    const previous = {
      date: 'earlier',
      targets: { oneVsBare: { met: true }, buildVsPlain: target('docker', 1.2) },
      build: { runs: 15, ratio: 1.2 },
    };
    const first = mergeBuildResults(previous, {
      docker: { builder: 'docker', target: target('docker', 1.04) },
      buildx: { builder: 'buildx', skipped: 'no engine' },
    });
    assert.deepEqual(Object.keys(first.build), ['docker']);
    assert.equal(first.targets.buildVsPlain, undefined);
    assert.equal(first.targets['build-dockerVsPlain'].value, 1.04);
    assert.deepEqual(first.targets.oneVsBare, { met: true });

    const second = mergeBuildResults(first, { buildx: { builder: 'buildx', target: target('buildx', 1.1) } });
    assert.deepEqual(Object.keys(second.build).sort(), ['buildx', 'docker']);
    assert.equal(second.targets['build-dockerVsPlain'].value, 1.04);
    assert.equal(second.targets['build-buildxVsPlain'].met, false);
  });
});
