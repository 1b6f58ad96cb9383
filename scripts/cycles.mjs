#!/usr/bin/env node
/* global process, console */
// Fails when the modules under src/ import each other in a cycle, type-only imports included
// (`import type` is erased from the build, but a cycle through it still means two modules that
// cannot be read, tested or moved apart). Reads every relative `import … from`, `export … from`
// and `import('…')` with a regular expression — no dependency — and reports each strongly
// connected component (Tarjan) with one cycle through it.
//   node scripts/cycles.mjs [dir …]   (default: src)
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src'];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(resolve(path));
  }
  return out;
}

// `import x from './a.js'`, `import type { X } from './a.js'`, `export * from './a.js'`,
// `import './a.js'`, `import('./a.js')`, over several lines.
const specifier =
  /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function target(from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.(m?js)$/, (_, ext) => (ext === 'mjs' ? '.mts' : '.ts')), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

const files = roots.flatMap((r) => walk(r, []));
const edges = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const to = new Set();
  for (const m of text.matchAll(specifier)) {
    const t = target(file, m[1] ?? m[2]);
    if (t !== undefined) to.add(t);
  }
  edges.set(file, [...to]);
}

// Tarjan's strongly connected components (iterative enough for a source tree: recursion depth = import depth).
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
function connect(v) {
  idx.set(v, index);
  low.set(v, index);
  index += 1;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!edges.has(w)) continue;
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(component);
  }
}
for (const f of files) if (!idx.has(f)) connect(f);

// One concrete cycle inside a component: breadth-first from its first module back to itself.
function cycleIn(component) {
  const inside = new Set(component);
  const start = component[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of edges.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return component;
}

const rel = (f) => relative(process.cwd(), f);
if (components.length === 0) {
  console.log(`cycles: none in ${files.length} modules (${roots.join(', ')})`);
} else {
  for (const c of components) {
    console.error(`import cycle (${c.length} modules): ${cycleIn(c).map(rel).join(' → ')}`);
  }
  console.error(`cycles: ${components.length} found; break each by moving what both sides need into a module of its own`);
  process.exitCode = 1;
}
