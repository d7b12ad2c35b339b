#!/usr/bin/env node
// Enforces the runtime layering of design.md (as in VS Code / Theia):
//   src/shared           imports neither Node built-ins nor DOM globals
//   src/main/engine      imports neither 'electron' nor the store
//   src/renderer         imports nothing from src/main
//   only src/main/electron and src/preload (the bridge) import 'electron'
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');

function files(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|vue|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/gm;
const NODE = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const DOM_GLOBALS = /\b(window|document|navigator|localStorage|sessionStorage|HTMLElement|customElements)\s*[.[(]/;
// Node globals that a shared module must not touch.
const NODE_GLOBALS = /\b(process\.(env|cwd|exit|argv|platform|pid)|Buffer\.|__dirname|__filename)\b/;

function imports(text) {
  const out = [];
  for (const m of text.matchAll(IMPORT)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return out;
}

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const problems = [];
const rel = (p) => path.relative(root, p);
const under = (p, dir) => p.startsWith(path.join(src, dir) + path.sep);

for (const file of files(src)) {
  const text = stripComments(readFileSync(file, 'utf8'));
  for (const spec of imports(text)) {
    const target = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : null;
    if (under(file, 'shared')) {
      if (NODE.has(spec)) problems.push(`${rel(file)}: src/shared must not import the Node module '${spec}'`);
      if (target && !target.startsWith(path.join(src, 'shared'))) problems.push(`${rel(file)}: src/shared may import only src/shared ('${spec}')`);
    }
    if (spec === 'electron' && !under(file, path.join('main', 'electron')) && !under(file, 'preload'))
      problems.push(`${rel(file)}: only src/main/electron and src/preload may import 'electron'`);
    if (under(file, path.join('main', 'engine')) && target && target.startsWith(path.join(src, 'main', 'store')))
      problems.push(`${rel(file)}: the engine must not import the store ('${spec}')`);
    if ((under(file, 'renderer') || under(file, 'preload')) && target && target.startsWith(path.join(src, 'main')))
      problems.push(`${rel(file)}: ${under(file, 'renderer') ? 'the renderer' : 'the preload'} must not import src/main ('${spec}')`);
    if (under(file, 'renderer') && NODE.has(spec)) problems.push(`${rel(file)}: the renderer must not import the Node module '${spec}'`);
  }
  if (under(file, 'shared')) {
    if (DOM_GLOBALS.test(text)) problems.push(`${rel(file)}: src/shared must not use DOM globals`);
    if (NODE_GLOBALS.test(text)) problems.push(`${rel(file)}: src/shared must not use Node globals`);
  }
}

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`layering check: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('layering check: ok');
