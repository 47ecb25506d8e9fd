#!/usr/bin/env node
// The house rules for imports inside src/, checked on every `npm test`: no import circle, and arrows
// point one way (entry points → action → stages → adapters and pure modules → shared). A failure names
// the file, the import and the rule, so a new arrow back up is caught where it is written.
//
//   node .ci/check-imports.mjs          exit 1 on any violation
//   node .ci/check-imports.mjs --graph  also print every edge
//   node .ci/check-imports.mjs --src DIR  check another tree
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// --src DIR checks another tree (the checker's own test gives it a tree with a circle in it).
const srcFlag = process.argv.indexOf('--src');
const SRC = srcFlag > 0 ? path.resolve(process.argv[srcFlag + 1]) : path.join(ROOT, 'src');

/**
 * Pure modules: values in, values out. They may import only other pure modules and libraries that do no
 * I/O; never an adapter, a stage or the orchestration.
 */
const PURE = [
  /^shared\/(errors|lists)\.ts$/,
  /^image\/(?!step\.ts)/,
  /^login\/(plan|registries)\.ts$/,
  /^iam\/policy\.ts$/,
  /^repository\/(tag-plan|policies)\//,
  /^builder\/(docker-args|push-decision|build-options|secret-guard)\.ts$/,
  /^inputs\/values\.ts$/,
  /^docker-config\/(merge|format)\.ts$/,
  /^registry\/manifests\.ts$/,
  /^repository\/(cleanup-plan|scan-gate)\.ts$/,
];
/** Libraries with side effects (the runner, processes, files, the network): none in a pure module. */
const IMPURE_PACKAGES = [
  /^@actions\//,
  /^@aws-sdk\//,
  /^@smithy\//,
  /^node:(fs|child_process|net|http|https)/,
];

/** Each rule: files it applies to, the imports they must not make, and why. */
const RULES = [
  {
    from: /^(?!index\.ts$|post-entry\.ts$|cli\/)/,
    to: /^action\//,
    why: 'only the entry points and the CLI reach the orchestration (action/)',
    except: /^action\//,
  },
  { from: /^(?!cli\/)/, to: /^cli\//, why: 'nothing below the CLI imports it' },
  {
    from: /^(aws|docker-config|ci-context|registry)\/|^builder\/docker\.ts$/,
    to: /^(action|cli|inputs)\/|\/step\.ts$|^repository\/cleanup-step\.ts$/,
    why: 'adapters never import the orchestration, the input reader or a stage',
  },
  {
    from: /^inputs\//,
    to: /^(action|cli)\/|\/step\.ts$/,
    why: 'the input reader imports parsers and types, never a stage or the orchestration',
  },
];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : /\.ts$/.test(name) ? [full] : [];
  });
}

/** Every static and dynamic import of a file, as written; `typeOnly` for `import type` (erased at build). */
function importsOf(text) {
  const found = [];
  const patterns = [
    /^\s*(?:import|export)\s([^'"]*?)from\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*()['"]([^'"]+)['"]/gm,
    /\bimport\(()\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      found.push({
        spec: match[2],
        typeOnly: /^type\s/.test(match[1].trimStart().replace(/^(import|export)\s+/, '')),
      });
    }
  }
  return found;
}

const stageOf = (file) => file.split('/')[0];

function resolveLocal(fromFile, spec) {
  const target = path.resolve(path.dirname(fromFile), spec).replace(/\.js$/, '.ts');
  return path.relative(SRC, target).split(path.sep).join('/');
}

const files = walk(SRC).map((file) => path.relative(SRC, file).split(path.sep).join('/'));
const known = new Set(files);
const graph = new Map();
const problems = [];
for (const file of files) {
  const imports = importsOf(readFileSync(path.join(SRC, file), 'utf8'));
  const local = [];
  for (const { spec, typeOnly } of imports) {
    if (spec.startsWith('.')) {
      const target = resolveLocal(path.join(SRC, file), spec);
      if (known.has(target)) local.push({ target, typeOnly });
      else if (!target.endsWith('.cjs'))
        problems.push(`${file}: imports ${spec}, which is not a file in src/`);
    } else if (
      !typeOnly &&
      PURE.some((rule) => rule.test(file)) &&
      IMPURE_PACKAGES.some((rule) => rule.test(spec))
    ) {
      problems.push(`${file}: imports ${spec}; it is a pure module, so side effects belong in an adapter`);
    }
  }
  graph.set(file, local);
}

for (const [file, targets] of graph) {
  for (const { target, typeOnly } of targets) {
    // A type from its own stage (the input shape a pure module decides on) costs nothing at run time.
    const sameStageType = typeOnly && stageOf(file) === stageOf(target);
    if (PURE.some((rule) => rule.test(file)) && !PURE.some((rule) => rule.test(target)) && !sameStageType) {
      problems.push(
        `${file} → ${target}: a pure module imports only pure modules (or a type of its own stage)`,
      );
    }
    for (const rule of RULES) {
      if (rule.from.test(file) && rule.to.test(target) && !(rule.except?.test(file) ?? false)) {
        problems.push(`${file} → ${target}: ${rule.why}`);
      }
    }
  }
}

// Circles: a depth-first search that reports each back edge's loop once.
const state = new Map();
const stack = [];
const circles = new Set();
function visit(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const { target } of graph.get(file) ?? []) {
    if (state.get(target) === 'open') {
      circles.add([...stack.slice(stack.indexOf(target)), target].join(' → '));
    } else if (!state.has(target)) {
      visit(target);
    }
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of files) if (!state.has(file)) visit(file);
for (const circle of circles) problems.push(`import circle: ${circle}`);

if (process.argv.includes('--graph')) {
  for (const [file, targets] of graph) {
    for (const { target, typeOnly } of targets)
      console.log(`${file} → ${target}${typeOnly ? ' (type)' : ''}`);
  }
}
const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} problem(s) in ${files.length} files:`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} files, ${edges} imports, 0 circles, every arrow one way`);
