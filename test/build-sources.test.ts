// binding.gyp (node-gyp, prebuildify) and CMakeLists.txt (cmake-js, the C++
// tests) must compile the same source groups with the same flags, and every
// C++ file under native/ (but the tests) must be in exactly one group.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const GROUPS = ['core', 'avx2', 'avx512', 'neon', 'napi'] as const;

const gyp = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8')) as { variables: Record<string, string[]> };
const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');

function cmakeList(name: string): string[] {
  const m = new RegExp(`set\\(${name}\\s+([^)]*)\\)`).exec(cmake);
  if (m === null) throw new Error(`CMakeLists.txt has no set(${name} ...)`);
  return m[1]!.split(/\s+/).filter((s) => s.length > 0);
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

describe('the two build descriptions', () => {
  it.each(GROUPS)('list the same %s sources', (group) => {
    const fromGyp = gyp.variables[`convnode_${group}_sources`];
    expect(fromGyp, `binding.gyp variable convnode_${group}_sources`).toBeDefined();
    expect(cmakeList(`CONVNODE_${group.toUpperCase()}_SOURCES`).sort()).toEqual([...fromGyp!].sort());
  });

  it.each(['avx2', 'avx512', 'common'])('use the same %s flags', (group) => {
    expect(cmakeList(`CONVNODE_${group.toUpperCase()}_FLAGS`)).toEqual(gyp.variables[`convnode_${group}_flags`]);
  });

  it('never compile for the build machine (-march=native) and keep ISA flags off the baseline', () => {
    expect(JSON.stringify(gyp) + cmake).not.toMatch(/march=native|mtune=native/);
    expect(gyp.variables['convnode_common_flags']!.join(' ')).not.toMatch(/-m(avx|fma|sse4)/);
  });

  it('cover every C++ source under native/ exactly once (but the tests and the MPI glue, which has its own build)', () => {
    const listed = GROUPS.flatMap((g) => gyp.variables[`convnode_${g}_sources`]!);
    const gluePath = path.join(root, 'native', 'mpi');
    const glue = JSON.parse(fs.readFileSync(path.join(gluePath, 'binding.gyp'), 'utf8')) as { targets: Array<{ sources: string[] }> };
    expect(glue.targets[0]!.sources.map((f) => path.join(gluePath, f)).filter((f) => fs.existsSync(f))).toHaveLength(1);
    const onDisk = walk(path.join(root, 'native'))
      .filter((f) => f.endsWith('.cc') && !f.includes(`${path.sep}test${path.sep}`) && !f.startsWith(gluePath + path.sep))
      .map((f) => path.relative(root, f).split(path.sep).join('/'));
    expect([...listed].sort()).toEqual([...onDisk].sort());
    expect(new Set(listed).size).toBe(listed.length);
  });
});

describe('the worker scripts', () => {
  it('are each a file under lib/, and the bench compiles every one (it starts them by path; nothing imports them)', async () => {
    const { WORKER_SCRIPTS } = await import('../lib/worker/host');
    const ts = await import('typescript');
    const bench = ts.readConfigFile(path.join(root, 'bench', 'tsconfig.json'), ts.sys.readFile);
    expect(bench.error).toBeUndefined();
    const include = (bench.config as { include: string[] }).include;
    for (const script of WORKER_SCRIPTS) {
      expect(fs.existsSync(path.join(root, 'lib', `${script}.ts`)), script).toBe(true);
      expect(include, script).toContain(`../lib/${script}.ts`);
    }
  });
});
