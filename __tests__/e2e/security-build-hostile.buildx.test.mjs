// security-build-hostile.test.mjs again, under buildx on the BuildKit engine (see support/builders.mjs).
process.env.E2E_BUILDER = 'buildx';
await import('./security-build-hostile.test.mjs');
