// Reading the PyTorch reference values that scripts/pytorch-parity.py wrote
// (test/fixtures/parity/*.json; NaN and the infinities are stored as the
// strings "NaN", "Infinity" and "-Infinity").
import * as fs from 'node:fs';
import * as path from 'node:path';

export function parity<T>(name: string): T {
  const text = fs.readFileSync(path.join(__dirname, 'fixtures', 'parity', `${name}.json`), 'utf8');
  const special: Record<string, number> = { NaN, Infinity, '-Infinity': -Infinity };
  return JSON.parse(text, (_, v: unknown) => (typeof v === 'string' && v in special ? special[v] : v)) as T;
}

export const f32 = (a: readonly number[]) => Float32Array.from(a);
