#!/usr/bin/env bash
# The prebuilt binaries the npm package ships (npm run prebuild):
#   prebuilds/linux-x64/   convnode.napi.glibc.node + libgomp.so.1
#   prebuilds/linux-arm64/ convnode.napi.glibc.node + libgomp.so.1
# Each is the N-API addon (any Node >= 18; plain x86-64 / armv8 baseline
# with per-file ISA flags, so it runs on any CPU of its architecture and
# dispatches down), stripped, beside the OpenMP runtime it links: its
# RUNPATH is $ORIGIN, so it loads on systems without libgomp1. arm64 is
# cross-compiled with Debian's aarch64 toolchain (g++-aarch64-linux-gnu).
# The builds run in a scratch copy of the sources; build/ is not touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/binding.gyp" "$root/package.json" "$root/native" "$root/scripts" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
# This Node's headers, so node-gyp downloads nothing.
nodedir=${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}
jobs=$(nproc 2>/dev/null || echo 2)

build() {
  local arch=$1 triple=$2
  local cxx=${triple:+$triple-}g++ cc=${triple:+$triple-}gcc strip=${triple:+$triple-}strip ar=${triple:+$triple-}ar
  command -v "$cxx" >/dev/null || { echo "prebuild: $cxx not found (Debian: apt-get install g++${triple:+-$triple})" >&2; exit 1; }
  echo "== prebuild linux-$arch with $cxx"
  (cd "$work" && rm -rf build && CXX=$cxx CC=$cc LINK=$cxx AR=$ar \
    node "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild --arch="$arch" --nodedir="$nodedir" -j "$jobs" >/dev/null)
  local out="$root/prebuilds/linux-$arch"
  rm -rf "$out" && mkdir -p "$out"
  cp "$work/build/Release/convnode.node" "$out/convnode.napi.glibc.node"
  cp -L "$("$cxx" -print-file-name=libgomp.so.1)" "$out/libgomp.so.1"
  "$strip" --strip-unneeded "$out/convnode.napi.glibc.node" "$out/libgomp.so.1"
  ls -l "$out"
}

build x64 ""
build arm64 aarch64-linux-gnu
