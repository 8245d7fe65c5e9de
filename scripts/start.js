#!/usr/bin/env node
/**
 * `npm start`: runs the compiled portal (dist/server.js) with plain node, as production does.
 * `npm install` builds dist/ (the "prepare" script); if a source file is newer than the last
 * build (or dist/ is missing), this builds it first, so `npm install && npm start` always runs
 * the code in the tree. Signals are passed on to the server, which shuts down gracefully.
 */
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stampFile = path.join(root, 'dist', '.build-stamp');

/** The newest modification time of any file below dir (0 when dir does not exist). */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function buildIsStale() {
  let built;
  try {
    built = fs.statSync(stampFile).mtimeMs;
  } catch {
    return true;
  }
  const inputs = [path.join(root, 'src'), path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')];
  return inputs.some((p) => (fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ? newestMtime(p) : fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0) > built);
}

function build() {
  process.stdout.write('Building the portal (tsc → dist/)…\n');
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    process.stderr.write('The build failed; see the errors above.\n');
    process.exit(result.status ?? 1);
  }
  fs.writeFileSync(stampFile, `${new Date().toISOString()}\n`);
}

if (process.argv.includes('--build-only')) {
  build();
  process.exit(0);
}
if (buildIsStale()) build();
if (process.argv.includes('--build-if-stale')) process.exit(0);

const server = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist', 'server.js')], { stdio: 'inherit', cwd: process.cwd(), env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
