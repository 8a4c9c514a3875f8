#!/usr/bin/env node
/**
 * The build step of `npm start`, `npm run cli` and `npm run migration:*`: runs `npm run build` only when an input of the build changed
 * since the last build it ran (or an output is missing), so a restart or a command with nothing changed starts at
 * once.
 * The fingerprint is the path, size and modification time of every input file, kept in dist/.build-inputs.
 */
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = process.cwd();
const INPUT_DIRS = ['src', 'migrations', 'web'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const SKIP = new Set(['node_modules', 'e2e', 'dist']);
const OUTPUTS = ['dist/src/app/main.js', 'dist/src/cli/cli.js', 'dist/web/index.html'];
const stampPath = path.join(root, 'dist', '.build-inputs');

function* files(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (entry.isFile()) yield full;
  }
}

function fingerprint() {
  const hash = createHash('sha256');
  const inputs = [
    ...INPUT_DIRS.flatMap((d) => [...files(path.join(root, d))]),
    ...INPUT_FILES.map((f) => path.join(root, f)),
  ];
  for (const file of inputs) {
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      continue;
    }
    hash.update(`${path.relative(root, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

// An installed build (the container image) has no sources to build from: it runs what dist/ holds.
if (!fs.existsSync(path.join(root, 'src'))) {
  const missing = OUTPUTS.filter((file) => !fs.existsSync(path.join(root, file)));
  if (missing.length === 0) {
    process.stdout.write('build: no sources here, running the build in dist/\n');
    process.exit(0);
  }
  process.stderr.write(`build: no sources to build from, and the build is incomplete (${missing.join(', ')})\n`);
  process.exit(1);
}

const current = fingerprint();
const previous = fs.existsSync(stampPath) ? fs.readFileSync(stampPath, 'utf8').trim() : '';
if (current === previous && OUTPUTS.every((file) => fs.existsSync(path.join(root, file)))) {
  process.stdout.write('build: up to date\n');
  process.exit(0);
}

const npm = process.env.npm_execpath
  ? [process.execPath, [process.env.npm_execpath, 'run', 'build']]
  : ['npm', ['run', 'build']];
const result = spawnSync(npm[0], npm[1], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
fs.mkdirSync(path.dirname(stampPath), { recursive: true });
fs.writeFileSync(stampPath, `${current}\n`);
