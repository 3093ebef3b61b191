#!/usr/bin/env node
// Prints 1 when the C++ compiler the build will use ($CXX, else c++)
// compiles and links an OpenMP program, else 0; binding.gyp reads it to
// add -fopenmp or build a single-threaded addon (Apple clang has no OpenMP
// runtime by default). CONVNODE_OPENMP=0 forces 0 (how the tests build the
// single-threaded addon on a machine that has OpenMP).
'use strict';
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

function hasOpenMp() {
  if (process.env.CONVNODE_OPENMP === '0') return false;
  const cxx = (process.env.CXX || 'c++').split(' ');
  const out = path.join(os.tmpdir(), `convnode-openmp-probe-${process.pid}`);
  const source = '#include <omp.h>\nint main() { return omp_get_max_threads() > 0 ? 0 : 1; }\n';
  const r = spawnSync(cxx[0], [...cxx.slice(1), '-fopenmp', '-x', 'c++', '-', '-o', out], { input: source, stdio: ['pipe', 'ignore', 'ignore'], timeout: 60000 });
  require('node:fs').rmSync(out, { force: true });
  return r.status === 0;
}

process.stdout.write(hasOpenMp() ? '1' : '0');
