/**
 * ARCHITECTURE.md's "may import" table as data, and the ESLint rule that holds every import to it.
 * Inside main/node the list is a layering: a folder may import only folders listed before it, so no
 * two folders can import each other (checked when this file loads; a cycle is a table error, not a
 * lint finding). Each import is checked on its own, by path, which keeps the rule fast.
 */
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/** 'node': Node built-ins and npm packages; 'packages': npm packages only; 'electron': Electron. */
export const LAYERS = [
  ['main/common', []],
  ['main/node/sys', ['main/common', 'node']],
  ['main/node/fuse', ['main/common', 'main/node/sys', 'node']],
  ['main/node/control', ['main/common', 'main/node/sys', 'node']],
  ['main/node/union', ['main/common', 'main/node/sys', 'main/node/fuse', 'main/node/control', 'node']],
  ['main/node/mounts', ['main/common', 'main/node/sys', 'main/node/fuse', 'main/node/control', 'node']],
  ['main/node/tracker', ['main/common', 'main/node/sys', 'main/node/control', 'main/node/mounts', 'node']],
  ['main/node/worker', ['main/common', 'main/node/sys', 'main/node/fuse', 'main/node/union', 'main/node/control', 'main/node/mounts', 'node']],
  ['main/node/service', ['main/common', 'main/node/sys', 'main/node/union', 'main/node/control', 'main/node/mounts', 'main/node/tracker', 'node']],
  ['main/node/serve', ['main/common', 'main/node/service', 'node']],
  [
    'main/node/cli',
    ['main/common', 'main/node/sys', 'main/node/control', 'main/node/mounts', 'main/node/tracker', 'main/node/service', 'main/node/serve', 'node'],
  ],
  ['main/electron', ['main/common', 'main/node', 'node', 'electron']],
  ['renderer/src', ['main/common', 'packages']],
];

const WORDS = { node: 'Node built-ins and npm packages', packages: 'npm packages', electron: 'Electron' };
const folders = LAYERS.map(([folder]) => folder);
const allowed = new Map(LAYERS.map(([folder, may]) => [folder, new Set(may)]));

/** Throws unless every folder a row lists is declared above it: the table is then free of cycles. */
export function checkLayering(layers) {
  const declared = layers.map(([folder]) => folder);
  layers.forEach(([folder, may], i) => {
    for (const dep of may) {
      if (!['node', 'packages', 'electron'].includes(dep) && !declared.slice(0, i).some((f) => f === dep || f.startsWith(`${dep}/`))) {
        throw new Error(`lint/importBoundaries.mjs: ${folder} lists ${dep}, which is not a folder declared above it (a cycle, or a typo).`);
      }
    }
  });
}
checkLayering(LAYERS);

const within = (path, folder) => path === folder || path.startsWith(`${folder}/`);
const folderOf = (path) => folders.find((f) => within(path, f));
const builtins = new Set(builtinModules);

/** What an import specifier reaches: a project file (and its table folder, if any), a Node built-in, Electron or a package. */
function target(fromFile, spec) {
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const path = normalize(spec.startsWith('/') ? spec : join(dirname(fromFile), spec));
    return { kind: 'folder', folder: folderOf(path), path };
  }
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  if (spec.startsWith('node:') || builtins.has(name)) return { kind: 'node', label: `${spec} (a Node built-in)` };
  if (name === 'electron') return { kind: 'electron', label: `${spec} (Electron)` };
  return { kind: 'packages', label: `${spec} (an npm package)` };
}

function permits(may, t) {
  if (t.kind === 'node') return may.has('node');
  if (t.kind === 'electron') return may.has('electron');
  if (t.kind === 'packages') return may.has('node') || may.has('packages');
  // A project file outside the table (package.json) counts as a package; under main/ every folder has a row.
  if (!t.folder) return may.has('node') && !within(t.path, 'main');
  return [...may].some((dep) => within(t.folder, dep));
}

export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: "Imports follow ARCHITECTURE.md's may-import table (lint/importBoundaries.mjs)." },
    schema: [],
  },
  create(context) {
    const file = relative(ROOT, context.filename);
    const folder = folderOf(file);
    if (!folder) {
      const unlisted = /^main\/(node\/)?[^/]+\//.exec(file);
      if (!unlisted) return {};
      return {
        Program(node) {
          context.report({
            node,
            message: `${unlisted[0].slice(0, -1)} is not in the may-import table: add a row for it to lint/importBoundaries.mjs and to ARCHITECTURE.md's "Where things live".`,
          });
        },
      };
    }
    const may = allowed.get(folder);
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      const t = target(file, source.value);
      if (t.kind === 'folder' && t.folder === folder) return;
      if (permits(may, t)) return;
      const what = t.kind === 'folder' ? (t.folder ?? t.path) : t.label;
      const ok = [...may].map((dep) => WORDS[dep] ?? dep).join(', ') || 'nothing outside itself';
      context.report({
        node: source,
        message: `${folder} may not import ${what}: ARCHITECTURE.md's "Where things live" allows ${ok} (table: lint/importBoundaries.mjs).`,
      });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
    };
  },
};
