#!/usr/bin/env bash
# The first step of `npm test`: the suite builds and runs native code (the
# addon, the C++ kernel tests), so without a toolchain it stops at once with
# one line naming what to install, instead of failing deep inside a build.
# (.ci/run installs all of it; the arm64 tools are checked by
# native/test/run.sh.) The distributed tests need Open MPI and the MPI glue
# built against it.
set -euo pipefail
missing=()
packages=()
for tool in g++ make python3 cmake; do command -v "$tool" >/dev/null || { missing+=("$tool"); packages+=("$tool"); }; done
command -v mpirun >/dev/null || { missing+=(mpirun); packages+=(openmpi-bin); }
command -v mpicc >/dev/null || { missing+=(mpicc); packages+=(libopenmpi-dev); }
if [ ${#missing[@]} -gt 0 ]; then
  echo "npm test needs ${missing[*]}: install them (Debian/Ubuntu: apt-get install ${packages[*]}) and run npm rebuild, or run bash .ci/run, which does both" >&2
  exit 1
fi
cd "$(dirname "$0")/.."
if ! node -e "require('node-gyp-build')('.')" 2>/dev/null; then
  echo "npm test needs the native addon built: run npm rebuild (or npx node-gyp rebuild)" >&2
  exit 1
fi
if [ ! -f native/mpi/build/Release/convnode_mpi.node ]; then
  echo "npm test needs the MPI glue built: run npm run build:mpi (or npm rebuild)" >&2
  exit 1
fi
