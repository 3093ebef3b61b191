#!/usr/bin/env node
// The compile or link flags of the system's MPI, for native/mpi/binding.gyp:
//   node scripts/mpi-flags.js compile|link
// Open MPI's wrapper says them with --showme:compile / --showme:link;
// MPICH's (and Intel MPI's) print the whole command with -show, from which
// the -I, -D, -L, -l and -Wl flags are kept. Prints nothing when there is
// no mpicc (the addon is then not built: scripts/install.js checks first).
'use strict';
const { spawnSync } = require('node:child_process');

const which = process.argv[2];
if (which !== 'compile' && which !== 'link') {
  process.stderr.write('usage: node scripts/mpi-flags.js compile|link\n');
  process.exit(2);
}
const mpicc = process.env.MPICC || 'mpicc';
const run = (args) => spawnSync(mpicc, args, { encoding: 'utf8' });
let r = run([`--showme:${which}`]);
let flags;
if (r.status === 0) {
  flags = r.stdout.trim().split(/\s+/);
} else {
  r = run(['-show']);
  if (r.status !== 0) process.exit(0);
  const words = r.stdout.trim().split(/\s+/).slice(1);
  flags = words.filter((w) => (which === 'compile' ? /^-[ID]/.test(w) : /^(-L|-l|-Wl,)/.test(w)));
}
process.stdout.write(flags.filter(Boolean).join(' ') + '\n');
