#!/usr/bin/env bash
# Usage: native/test/isa-symbols.sh LIBRARY.a
#
# Fails when a symbol defined in an object compiled with an ISA path's flags
# (*__avx2_fma.cc.o, *__avx512.cc.o, *__neon.cc.o) is defined in another
# object of the library too. Such a symbol is an inline function or a
# template instantiation that a per-ISA file and another file both compiled
# (from a shared header): the linker keeps one copy for all callers, so code
# compiled for AVX-512 may run on the baseline path of a CPU without it (an
# illegal instruction), or every path runs the baseline's copy. Helpers that
# per-ISA files compile belong in an unnamed namespace or a template on the
# path's ops (gemm_few_rows.h, conv_direct_tiles.h).
set -euo pipefail
nm=${NM:-nm}  # the target's nm for a cross build (aarch64-linux-gnu-nm)
lib=$(realpath "${1:?usage: isa-symbols.sh LIBRARY.a}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && ar x "$lib")
shopt -s nullglob
isa_objects=("$scratch"/*__avx2_fma.cc.o "$scratch"/*__avx512.cc.o "$scratch"/*__neon.cc.o)
if [ ${#isa_objects[@]} -eq 0 ]; then
  echo "isa-symbols: no per-ISA objects in $lib" >&2
  exit 1
fi
# Every external symbol each object defines, as "object symbol" lines; then
# the symbols defined by more than one object, one of them per-ISA.
for o in "$scratch"/*.o; do
  "$nm" --defined-only --extern-only --format=posix "$o" | awk -v o="$(basename "$o")" '{ print o, $1 }'
done | awk '
  { where[$2] = where[$2] " " $1; count[$2]++; if ($1 ~ /__(avx2_fma|avx512|neon)\.cc\.o$/) isa[$2] = 1 }
  END { for (s in count) if (count[s] > 1 && isa[s]) print s, where[s] }' > "$scratch/shared.txt"
if [ -s "$scratch/shared.txt" ]; then
  while read -r sym objects; do
    echo "error: $(echo "$sym" | c++filt) is defined in each of: $objects" >&2
  done < "$scratch/shared.txt"
  exit 1
fi
echo "isa-symbols: ${#isa_objects[@]} per-ISA objects, none shares a symbol with another object"
