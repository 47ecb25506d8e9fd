// The npm registry this project's machines reach serves only the Linux builds of platform-specific
// optional packages (unrs-resolver's native bindings, through jest). `npm install` then leaves the other
// platforms out of package-lock.json, and `npm ci` refuses the lock as out of sync. This adds those
// entries back, marked optional with their os/cpu, so npm ci skips them on every platform but their own.
// Run it after any `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));

/** `@scope/name-<os>-<cpu>[-<abi>]` → the fields npm's platform check reads. */
function platformOf(name) {
  const match =
    /-(android|darwin|freebsd|linux|openharmony|win32)-(arm|arm64|ia32|x64|loong64|ppc64|riscv64|s390x)(?:-([a-z]+))?$/.exec(
      name,
    );
  if (!match) return undefined;
  const [, os, cpu, abi] = match;
  const libc = abi?.startsWith('musl') ? ['musl'] : abi?.startsWith('gnu') ? ['glibc'] : undefined;
  return { cpu: [cpu], os: [os], ...(libc ? { libc } : {}) };
}

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `${location ? `${location}/` : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[hoisted]) continue;
    const platform = platformOf(name);
    if (!platform) continue;
    lock.packages[hoisted] = { version, ...platform, dev: entry.dev, optional: true };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform-specific optional entries added`);
