// Reading the PyTorch reference values that scripts/pytorch-parity.py wrote
// (test/fixtures/parity/*.json; NaN is stored as the string "NaN").
import * as fs from 'node:fs';
import * as path from 'node:path';

export function parity<T>(name: string): T {
  const text = fs.readFileSync(path.join(__dirname, 'fixtures', 'parity', `${name}.json`), 'utf8');
  return JSON.parse(text, (_, v: unknown) => (v === 'NaN' ? NaN : v)) as T;
}

export const f32 = (a: readonly number[]) => Float32Array.from(a);
