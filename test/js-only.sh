#!/usr/bin/env bash
# The kernel suite on the TypeScript backend with the native addon absent,
# as users get it where the addon cannot load: the sources and tests are
# copied to a folder with no build/ and no prebuilds/, so the addon file is
# really not there, and the suite must pass there too.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -r lib test scripts package.json tsconfig.json "$dir/"
ln -s "$PWD/node_modules" "$dir/node_modules"
cd "$dir"
if ls build prebuilds >/dev/null 2>&1; then echo "js-only: a native build is present in $dir" >&2; exit 1; fi
echo "== kernel suite, TypeScript backend, no native addon ($dir)"
CONVNODE_JS_ONLY=1 CONVNODE_BACKEND=js npx vitest run test/kernels.reference.test.ts test/golden.test.ts test/gradients.test.ts test/parity test/js-only.test.ts
