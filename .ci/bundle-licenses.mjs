// Writes dist/licenses.txt: the license of every package bundled into dist/, read from the bundles'
// source maps. ncc's own --license writes one file per chunk under the same name, so with the ECR
// Public client in a chunk of its own the main bundle's licenses were overwritten.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dist = path.resolve(import.meta.dirname, '..', 'dist');
const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i;

const packageDirs = new Set();
// Every bundle: the action's main step, its post step (dist/post) and the CLI (dist/cli).
const maps = readdirSync(dist, { recursive: true }).filter((name) => String(name).endsWith('.js.map'));
for (const file of maps.map(String)) {
  const map = JSON.parse(readFileSync(path.join(dist, file), 'utf8'));
  for (const source of map.sources) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(source.replace(/^webpack:\/\/[^/]*\//, ''));
    // ncc writes every map's sources relative to dist/ itself, also for the bundles in subfolders.
    if (match) packageDirs.add(path.resolve(dist, match[1]));
  }
}

const entries = [];
for (const dir of packageDirs) {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) throw new Error(`no package.json in ${dir}: cannot name its license`);
  const { name, version, license } = JSON.parse(readFileSync(manifest, 'utf8'));
  const licenseFile = readdirSync(dir).find((file) => LICENSE_FILE.test(file));
  const text = licenseFile ? readFileSync(path.join(dir, licenseFile), 'utf8').trim() : '';
  entries.push({ name, version, license: license ?? 'UNKNOWN', text });
}
entries.sort((a, b) => a.name.localeCompare(b.name));
const seen = new Set();
const body = entries
  .filter((entry) => !seen.has(entry.name) && seen.add(entry.name))
  .map((entry) => `${entry.name}\n${entry.license}${entry.text ? `\n${entry.text}` : ''}\n`)
  .join('\n');
writeFileSync(path.join(dist, 'licenses.txt'), body);
console.log(`dist/licenses.txt: ${seen.size} packages`);
