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

# The build a compiler without OpenMP gets (Apple clang): single-threaded,
# no libgomp linked, the same results.
echo "== C++ kernel tests, host, built without OpenMP (CONVNODE_OPENMP=OFF)"
cmake -S . -B build-cpp/noomp -DCONVNODE_BUILD_TESTS=ON -DCONVNODE_OPENMP=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-cpp/noomp --target convnode_kernel_tests -j "$jobs" >/dev/null
if ldd build-cpp/noomp/convnode_kernel_tests | grep -q gomp; then echo "error: the build without OpenMP links libgomp" >&2; exit 1; fi
./build-cpp/noomp/convnode_kernel_tests | tail -1

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
