#!/usr/bin/env node
// convnode's install step. It never fails the install; in order:
// 1. a prebuilt binary for this platform (prebuilds/<platform>-<arch>/,
//    with the OpenMP runtime beside it) that loads here: nothing to do;
// 2. else a source build with node-gyp (npm's own), against this Node's
//    headers when they are installed, so nothing is downloaded;
// 3. else one line saying what is missing and how to get native speed;
//    convnode then runs on its TypeScript backend, and says so once at run
//    time (the CONVNODE_NATIVE_UNAVAILABLE warning).
// Then, where the machine has MPI (an `mpicc` on PATH), the optional MPI
// glue of convnode/distributed (native/mpi/) is built against it; without
// MPI, or if that build fails, everything else works as before and asking
// for distributed training says what to install.
// npm shows an install script's output only with --foreground-scripts (or
// in its log), so the run-time warning is the line most users see.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const say = (line) => process.stderr.write(`convnode: ${line}\n`);

/** The prebuilt binary node-gyp-build would pick here, if it loads; else why not. */
function prebuilt() {
  let file;
  try {
    process.env.PREBUILDS_ONLY = '1';
    file = require('node-gyp-build').path(root);
  } catch {
    return { ok: false, why: `no prebuilt binary for ${process.platform}-${process.arch}` };
  } finally {
    delete process.env.PREBUILDS_ONLY;
  }
  try {
    require(file);
    return { ok: true, file };
  } catch (err) {
    return { ok: false, why: `the prebuilt binary ${path.relative(root, file)} does not load here (${String(err.message).split('\n')[0]})` };
  }
}

/** node-gyp rebuild in `dir`; null when it worked, else its most telling line. */
function sourceBuild(dir = root) {
  const gyp = process.env.npm_config_node_gyp;
  const [command, ...pre] = gyp ? [process.execPath, gyp] : ['node-gyp'];
  const args = [...pre, 'rebuild'];
  // This Node's own headers, when installed (a distribution's nodejs, a
  // nodejs.org tarball): node-gyp would otherwise download them.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 15 * 60 * 1000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status === 0) return null;
  if (r.error) return r.error.code === 'ENOENT' ? 'node-gyp was not found' : r.error.message;
  const lines = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /Could not find any Python|not found|No such file|error:/i.test(l)) ?? lines.at(-1) ?? `node-gyp exited with ${r.status}`;
}

function nativeAddon() {
  const pre = prebuilt();
  if (pre.ok) return;
  const failure = sourceBuild();
  if (failure === null) return;
  say(`${pre.why}, and the source build failed (${failure}). convnode will run on its TypeScript backend ` +
    '(correct, much slower). For native speed install python3, make and a C++17 compiler (Debian/Ubuntu: ' +
    'apt-get install python3 make g++), then run `npm rebuild convnode`.');
}

/** The MPI glue, where there is an MPI to build it against (it cannot be prebuilt: MPI libraries differ). */
function mpiGlue() {
  if (spawnSync('mpicc', ['--version'], { stdio: 'ignore' }).status !== 0) return;
  const failure = sourceBuild(path.join(root, 'native', 'mpi'));
  if (failure !== null) say(`this machine has MPI, but building convnode's MPI glue failed (${failure}): distributed training is off`);
}

function main() {
  if (process.env.CONVNODE_SKIP_NATIVE === '1') {
    say('CONVNODE_SKIP_NATIVE=1: no native addon; the TypeScript backend will run');
    return;
  }
  nativeAddon();
  mpiGlue();
}

try {
  main();
} catch (err) {
  say(`install step failed unexpectedly (${err.message}); the TypeScript backend will run`);
}
process.exitCode = 0;
