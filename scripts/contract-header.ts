// Renders the native side of lib/backend/contracts.ts as two C++ headers:
//   native/include/convnode/enums.gen.h  the enums the kernel API uses
//   native/napi/contract.gen.h           each geometry's wire layout and each
//                                        kernel's arguments, for the addon's
//                                        memory guards (native/napi/guard.cc)
// `npm run generate` writes them; test/contract-header.test.ts fails when
// the committed files differ from what this renders.
import { CONTRACTS, ENUMS, GEOMETRIES, KERNEL_NAMES, MAX_POOL_ARGMAX_CELLS, type Arg, type Field, type Geometry } from '../lib/backend/contracts';

const BANNER = '// Generated from lib/backend/contracts.ts by scripts/contract-header.ts\n// (`npm run generate`). Do not edit.\n';

const enumerator = (name: string) => `k${name[0]!.toUpperCase()}${name.slice(1)}`;
const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
const cstr = (s: string) => JSON.stringify(s);

export function renderEnumsHeader(): string {
  const lines = [BANNER, '#pragma once', '', '#include <cstdint>', '', 'namespace convnode {', ''];
  for (const [name, values] of Object.entries(ENUMS)) {
    lines.push(`enum class ${name} : int32_t { ${values.map(enumerator).join(', ')} };`);
  }
  lines.push('', '// The most cells a max-pool window may have when its winners are kept as bytes.');
  lines.push(`constexpr int64_t kMaxPoolArgmaxCells = ${MAX_POOL_ARGMAX_CELLS};`, '', '}  // namespace convnode', '');
  return lines.join('\n');
}

function fieldRow(obj: string, f: Field): string {
  const path = cstr(`${obj}.${f.name}`);
  switch (f.type) {
    case 'int': return `{${path}, FieldType::kInt, ${f.min}.0, ${f.max}.0}`;
    case 'number': return `{${path}, FieldType::kNumber, 0.0, 0.0}`;
    case 'bool': return `{${path}, FieldType::kBool, 0.0, 1.0}`;
    case 'enum': return `{${path}, FieldType::kEnum, 0.0, ${ENUMS[f.enum].length - 1}.0}`;
  }
}

function renderGeometry(name: string, g: Geometry): string[] {
  const slots = [...g.fields.map((f) => f.name), ...g.derived.map((d) => d.name)];
  const id = pascal(name);
  const lines: string[] = [];
  lines.push(`// ${name}: ${g.fields.length} wire field(s)${g.derived.length > 0 ? `, then derived ${g.derived.map((d) => d.name).join(', ')}` : ''}`);
  lines.push(`namespace ${name} {`);
  lines.push(slots.length > 0 ? `enum Slot : int { ${slots.join(', ')} };` : '// no slots');
  if (g.fields.length > 0) lines.push(`inline constexpr Field kFields[] = {\n    ${g.fields.map((f) => fieldRow(g.object!, f)).join(',\n    ')},\n};`);
  lines.push(`}  // namespace ${name}`);
  const fields = g.fields.length > 0 ? `${name}::kFields` : 'nullptr';
  const derive = g.derived.length > 0 ? `&derive_${name}` : 'nullptr';
  lines.push(`inline constexpr Geometry k${id}Geometry = {${cstr(name)}, ${fields}, ${g.fields.length}, ${slots.length}, ${derive}};`, '');
  return lines;
}

function argRow(kernel: string, a: Arg, args: readonly Arg[], geometry: string, g: Geometry): string {
  const index = (n: string) => args.findIndex((x) => x.name === n);
  const slots = [...g.fields.map((f) => f.name), ...g.derived.map((d) => d.name)];
  const type = { f32: 'kF32', u8: 'kU8', target: 'kTarget', number: 'kNumber', f32List: 'kF32List' }[a.type];
  const dims = 'extent' in a ? a.extent ?? [] : [];
  const terms = dims.map((d) => {
    if (d.endsWith('.length')) return `{-1, ${index(d.slice(0, -'.length'.length))}}`;
    if (!slots.includes(d)) throw new Error(`${kernel}.${a.name}: no slot ${d}`);
    return `{${geometry}::${d}, -1}`;
  });
  // Targets: rows labels, or rows*cols distributions.
  if (a.type === 'target') terms.push(`{${geometry}::rows, -1}`, `{${geometry}::cols, -1}`);
  const optional = 'optional' in a && a.optional === true;
  const requiredIf = 'requiredIf' in a && a.requiredIf !== undefined ? `${geometry}::${a.requiredIf}` : '-1';
  const orOne = a.type === 'f32' && a.orOne === true;
  const like = a.type === 'f32List' && a.like !== undefined ? index(a.like) : -1;
  return `{${cstr(a.name)}, ArgType::${type}, ${optional}, ${requiredIf}, ${orOne}, ${like}, ${terms.length}, {${terms.join(', ')}}}`;
}

export function renderContractHeader(): string {
  const lines = [BANNER, '#pragma once', '', '#include "guard_types.h"', '', 'namespace convnode::napi::contract {', ''];
  for (const [name, g] of Object.entries(GEOMETRIES)) lines.push(...renderGeometry(name, g));
  for (const name of KERNEL_NAMES) {
    const k = CONTRACTS[name];
    const g: Geometry = GEOMETRIES[k.geometry];
    const index = (n: string) => k.args.findIndex((x) => x.name === n);
    const id = pascal(name);
    lines.push(`// ${name}(${[...(g.object !== null ? [g.object] : []), ...k.args.map((a) => a.name)].join(', ')})`);
    lines.push(`inline constexpr Arg k${id}Args[] = {\n    ${k.args.map((a) => argRow(name, a, k.args, k.geometry, g)).join(',\n    ')},\n};`);
    const overlaps: readonly { out: string; in: string; inPlace?: boolean }[] = ('overlaps' in k ? k.overlaps : undefined) ?? [];
    const lists: readonly string[] = ('disjointLists' in k ? k.disjointLists : undefined) ?? [];
    if (overlaps.length > 0)
      lines.push(`inline constexpr Overlap k${id}Overlaps[] = {${overlaps.map((o) => `{${index(o.out)}, ${index(o.in)}, ${o.inPlace === true}}`).join(', ')}};`);
    if (lists.length > 0) lines.push(`inline constexpr int k${id}Lists[] = {${lists.map(index).join(', ')}};`);
    lines.push(`inline constexpr Kernel k${id} = {${cstr(name)}, &k${pascal(k.geometry)}Geometry, k${id}Args, ${k.args.length}, ` +
      `${overlaps.length > 0 ? `k${id}Overlaps` : 'nullptr'}, ${overlaps.length}, ${lists.length > 0 ? `k${id}Lists` : 'nullptr'}, ${lists.length}};`, '');
  }
  lines.push('// The most arguments any kernel takes: the size of the guard\'s argument arrays (guard.h).');
  lines.push(`inline constexpr int kMaxKernelArgs = ${Math.max(...KERNEL_NAMES.map((k) => CONTRACTS[k].args.length))};`, '');
  lines.push('}  // namespace convnode::napi::contract', '');
  return lines.join('\n');
}

/** The generated files, by path from the package root. */
export function generatedFiles(): Record<string, string> {
  return {
    'native/include/convnode/enums.gen.h': renderEnumsHeader(),
    'native/napi/contract.gen.h': renderContractHeader(),
  };
}
