// reliability-build-faults.test.mjs again, under buildx on the BuildKit engine (see support/builders.mjs).
process.env.E2E_BUILDER = 'buildx';
await import('./reliability-build-faults.test.mjs');
