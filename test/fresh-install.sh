#!/usr/bin/env bash
# convnode on a fresh machine (issue 23). Makes a minimal Debian root
# (mmdebstrap --variant=minbase bookworm: no compiler, no python3, no
# libgomp1), copies this machine's Node and npm into it with its network
# settings (resolv.conf, the CA bundle, npm's config), and checks, inside it:
#  1. the packed tarball (with its prebuilt binaries) installs into a new
#     project and the smoke test passes: the native backend on this CPU's
#     best ISA path with every core, LeNet trained on 2,000 embedded images,
#     an ESM import, and the TypeScript types (tsc --noEmit, strict);
#  2. the tarball without its prebuilds installs too (exit 0), says in one
#     line why there is no native addon, and runs on the TypeScript backend;
#  3. a clean clone: `npm ci && npm run train` (with --limit 1000: the
#     TypeScript backend trains a full epoch in minutes) works, and
#     `npm test` stops at once naming the toolchain to install.
# Then the arm64 prebuilt binary: an arm64 Debian root extracted by
# mmdebstrap (--variant=extract: nothing runs, so no binfmt_misc is needed),
# with Debian's arm64 Node, runs the same smoke test under qemu-user
# (qemu-aarch64 -L ROOT), on the installed package from step 1.
#
# Needs root (chroot), mmdebstrap and qemu-user; .ci/run installs them.
# CONVNODE_FRESH_KEEP=1 keeps the roots (in /tmp/convnode-fresh) for a look.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=/tmp/convnode-fresh
amd=$work/root-amd64
arm=$work/root-arm64
log=$work/log

step() { echo "== fresh install: $*"; }
fail() { echo "fresh install FAILED: $*" >&2; exit 1; }
cleanup() {
  umount "$amd/proc" 2>/dev/null || true
  [ "${CONVNODE_FRESH_KEEP:-}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (chroot)"
for tool in mmdebstrap qemu-aarch64; do command -v "$tool" >/dev/null || fail "$tool not found (apt-get install mmdebstrap qemu-user)"; done
umount "$amd/proc" 2>/dev/null || true
rm -rf "$work" && mkdir -p "$work"

# The tarball users get: npm pack of this tree, prebuilds included.
step "npm pack"
[ -f "$repo/prebuilds/linux-x64/convnode.napi.glibc.node" ] && [ -f "$repo/prebuilds/linux-arm64/convnode.napi.glibc.node" ] ||
  (cd "$repo" && npm run prebuild >"$log.prebuild" 2>&1) || { cat "$log.prebuild"; fail "npm run prebuild"; }
(cd "$repo" && npm pack --pack-destination "$work" >/dev/null 2>"$log.pack") || { cat "$log.pack"; fail "npm pack"; }
tgz=$(ls "$work"/convnode-*.tgz)
# The same without prebuilds/.
mkdir "$work/noprebuilds" && tar -C "$work/noprebuilds" -xzf "$tgz" && rm -rf "$work/noprebuilds/package/prebuilds"
tar -C "$work/noprebuilds" -czf "$work/convnode-noprebuilds.tgz" package

step "mmdebstrap --variant=minbase bookworm (amd64)"
mmdebstrap --variant=minbase --mode=root bookworm "$amd" >"$log.mmdebstrap" 2>&1 || { tail -20 "$log.mmdebstrap"; fail "mmdebstrap"; }
for tool in g++ gcc cc make python3; do [ ! -e "$amd/usr/bin/$tool" ] || fail "the fresh root has $tool"; done
[ -z "$(find "$amd" -name 'libgomp.so*' -print -quit)" ] || fail "the fresh root has libgomp"

# Node and npm from this machine, and what npm needs to reach the registry.
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
install -D "$node_bin" "$amd/usr/local/bin/node"
mkdir -p "$amd/usr/local/lib/node_modules" && cp -r "$npm_dir" "$amd/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$amd/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$amd/usr/local/bin/npx"
cp -L /etc/resolv.conf "$amd/etc/resolv.conf"
ca=/etc/ssl/certs/ca-certificates.crt
install -D "$ca" "$amd$ca"
# npm's registry and proxy settings, the CA bundle; not nodedir (the fresh
# root has no Node headers; nothing may be built against them).
{
  echo "registry=$(npm config get registry)"
  echo "cafile=$ca"
  for key in proxy https-proxy noproxy strict-ssl; do
    value=$(npm config get "$key" 2>/dev/null || true)
    [ -z "$value" ] || [ "$value" = null ] || echo "$key=$value"
  done
  echo "fund=false"
  echo "audit=false"
  echo "update-notifier=false"
} >"$amd/root/.npmrc"
cp "$tgz" "$amd/tmp/convnode.tgz"
cp "$work/convnode-noprebuilds.tgz" "$amd/tmp/convnode-noprebuilds.tgz"
cp "$repo/test/fresh-install/"* "$amd/tmp/"
mount -t proc proc "$amd/proc"

in_root() {
  chroot "$amd" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin NODE_EXTRA_CA_CERTS=$ca LANG=C.UTF-8 \
    ${HTTPS_PROXY:+HTTPS_PROXY=$HTTPS_PROXY} ${HTTP_PROXY:+HTTP_PROXY=$HTTP_PROXY} ${https_proxy:+https_proxy=$https_proxy} \
    ${http_proxy:+http_proxy=$http_proxy} ${NO_PROXY:+NO_PROXY=$NO_PROXY} /bin/bash -euo pipefail -c "$1"
}

step "1. npm install convnode-*.tgz (prebuilt binaries) in a new project, then the smoke test"
in_root 'mkdir /app && cd /app && npm init -y >/dev/null && npm install --foreground-scripts /tmp/convnode.tgz 2>&1 | tail -3 &&
  npm install --no-save typescript @types/node >/dev/null 2>&1 && cp /tmp/smoke.js /tmp/smoke.mjs /tmp/consumer.ts . &&
  node smoke.js && node smoke.mjs && npx tsc --noEmit --strict --module node16 --moduleResolution node16 --target es2022 --types node consumer.ts &&
  echo "tsc --noEmit --strict consumer.ts ($(npx tsc -v)): the types resolve"'

step "2. npm install of the tarball without prebuilds, no compiler: succeeds, says why, runs on TypeScript"
out=$(in_root 'mkdir /app2 && cd /app2 && npm init -y >/dev/null && npm install --foreground-scripts /tmp/convnode-noprebuilds.tgz 2>&1') ||
  { echo "$out"; fail "npm install exited non-zero without prebuilds"; }
echo "$out" | grep '^convnode: ' || { echo "$out"; fail "no line from the install step"; }
echo "$out" | grep -q 'convnode: no prebuilt binary for linux-x64, and the source build failed' || fail "the install line does not say why"
run=$(in_root 'cd /app2 && node -e "const c = require(\"convnode\"); const i = c.runtimeInfo(); console.log(\"backend:\", i.backend)" 2>&1')
echo "$run"
echo "$run" | grep -q '^backend: js' || fail "the TypeScript backend does not run"
echo "$run" | grep -q 'CONVNODE_NATIVE_UNAVAILABLE' || fail "no CONVNODE_NATIVE_UNAVAILABLE warning"

step "3. a clean clone: npm ci && npm run train -- --limit 1000; npm test names the toolchain"
git clone -q "$repo" "$amd/src"
in_root 'cd /src && npm ci --no-audit --no-fund 2>&1 | grep -E "^convnode:|added" ; npm run train -- --limit 1000 2>&1 | grep -vE "^epoch|^\s*$" | tail -4 && test -f lenet.safetensors'
tst=$(in_root 'cd /src && npm test 2>&1' || true)
echo "$tst" | tail -2
echo "$tst" | grep -q 'npm test needs' || fail "npm test does not stop with one line naming the toolchain"

step "arm64: mmdebstrap --variant=extract bookworm (arm64) with Debian's nodejs, smoke test under qemu-aarch64"
mmdebstrap --variant=extract --arch=arm64 --include=nodejs bookworm "$arm" >"$log.mmdebstrap-arm64" 2>&1 ||
  { tail -20 "$log.mmdebstrap-arm64"; fail "mmdebstrap arm64"; }
[ -z "$(find "$arm" -name 'libgomp.so*' -print -quit)" ] || fail "the arm64 root has libgomp"
cp -r "$amd/app" "$arm/app"
(cd "$arm/app" && qemu-aarch64 -L "$arm" "$arm/usr/bin/node" smoke.js --expect-isa neon)
echo "fresh install: all passed"
