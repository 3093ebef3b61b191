#!/usr/bin/env bash
# Builds and runs the C++ kernel tests (native/test/main.cc and one *_tests.cc per kernel family) with
# CMake: once for this machine, on every ISA path its CPU has; once more
# for it without OpenMP; and once cross-compiled for arm64 and run under
# qemu-user, which covers the NEON path. The arm64 run needs g++-aarch64-linux-gnu and qemu-user (Debian);
# without them it is reported as not run, and under CI that is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== C++ kernel tests, host ($(uname -m))"
cmake -S . -B build-cpp/host -DCONVNODE_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-cpp/host --target convnode_kernel_tests -j "$jobs" >/dev/null
./build-cpp/host/convnode_kernel_tests
# No per-ISA object shares a symbol with another (isa-symbols.sh says why).
bash native/test/isa-symbols.sh build-cpp/host/libconvnode_core.a

# The build a compiler without OpenMP gets (Apple clang): single-threaded,
# no libgomp linked, the same results.
echo "== C++ kernel tests, host, built without OpenMP (CONVNODE_OPENMP=OFF)"
cmake -S . -B build-cpp/noomp -DCONVNODE_BUILD_TESTS=ON -DCONVNODE_OPENMP=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-cpp/noomp --target convnode_kernel_tests -j "$jobs" >/dev/null
if ldd build-cpp/noomp/convnode_kernel_tests | grep -q gomp; then echo "error: the build without OpenMP links libgomp" >&2; exit 1; fi
./build-cpp/noomp/convnode_kernel_tests | tail -1

# And the addon itself built so (CONVNODE_OPENMP=0; scripts/has-openmp.js),
# in a scratch copy: it loads, says it has no OpenMP, and computes what the
# OpenMP build computes.
echo "== the N-API addon built without OpenMP"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r binding.gyp package.json native scripts "$scratch/"
ln -s "$PWD/node_modules" "$scratch/node_modules"
nodedir=${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}
(cd "$scratch" && CONVNODE_OPENMP=0 node node_modules/node-gyp/bin/node-gyp.js rebuild --nodedir="$nodedir" -j "$jobs" >/dev/null 2>&1) ||
  { echo "error: the addon does not build without OpenMP" >&2; exit 1; }
if ldd "$scratch/build/Release/convnode.node" | grep -q gomp; then echo "error: the addon built without OpenMP links libgomp" >&2; exit 1; fi
node -e "
  const { loadNative } = require('./dist/backend/native');
  const single = loadNative('$scratch'), usual = loadNative();
  if (!single.ok || !usual.ok) throw new Error('an addon does not load');
  if (single.addon.info().openmp !== false) throw new Error('the build without OpenMP reports OpenMP');
  const s = { n: 2, c: 3, h: 9, w: 9, k: 4, kh: 3, kw: 3, padH: 1, padW: 1 };
  const x = Float32Array.from({ length: 486 }, (_, i) => Math.sin(i)), w = Float32Array.from({ length: 108 }, (_, i) => Math.cos(i));
  const run = (b) => { const y = new Float32Array(2 * 4 * 81); b.conv2dForward(s, x, w, null, y); return y; };
  const a = run(single.backend), b = run(usual.backend);
  const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  if (!(worst < 1e-5)) throw new Error('the two builds disagree by ' + worst);
  console.log('addon without OpenMP: loads, info().openmp false, ' + single.addon.info().isa + ', conv2d as the OpenMP build (max difference ' + worst + ')');
"

if [ "$(uname -m)" = "aarch64" ]; then
  exit 0  # the host run above was the NEON run
fi
if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  msg="arm64/NEON C++ tests NOT RUN: install g++-aarch64-linux-gnu and qemu-user (apt-get install g++-aarch64-linux-gnu qemu-user)"
  if [ "${CI:-}" = "true" ]; then echo "error: $msg" >&2; exit 1; fi
  echo "warning: $msg" >&2
  exit 0
fi
echo "== C++ kernel tests, arm64 under qemu-user (NEON path)"
cmake -S . -B build-cpp/arm64 -DCONVNODE_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 \
  -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ >/dev/null
cmake --build build-cpp/arm64 --target convnode_kernel_tests -j "$jobs" >/dev/null
qemu-aarch64 -L /usr/aarch64-linux-gnu ./build-cpp/arm64/convnode_kernel_tests
NM=aarch64-linux-gnu-nm bash native/test/isa-symbols.sh build-cpp/arm64/libconvnode_core.a
