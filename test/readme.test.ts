// The README's API example runs as written and prints what it claims.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

describe('README', () => {
  it('its API example trains, saves, loads and predicts', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const m = /<!-- test\/readme.test.ts runs this example -->\n```js\n([\s\S]*?)```/.exec(readme);
    expect(m, 'the example block').not.toBeNull();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-readme-'));
    try {
      // Run from a folder inside the package so require('convnode') resolves to it (self-reference).
      const script = path.join(root, 'test', 'fixtures', `.readme-example-${process.pid}.js`);
      fs.writeFileSync(script, m![1]!.replace("'lenet.safetensors'", JSON.stringify(path.join(dir, 'lenet.safetensors'))).replace("'lenet.safetensors'", JSON.stringify(path.join(dir, 'lenet.safetensors'))));
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8', cwd: dir });
      fs.rmSync(script);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(Number(/validation accuracy ([\d.]+)/.exec(lines[0]!)?.[1])).toBeGreaterThan(0.8);
      const out = JSON.parse(lines[1]!) as { accuracy: number; predicted: number[]; labels: number[]; same: boolean };
      expect(out.accuracy).toBeGreaterThan(0.8);
      expect(out.labels).toEqual([7, 2, 1]); // the first MNIST test digits
      expect(out.predicted).toHaveLength(3);
      expect(out.same).toBe(true);
      expect(fs.existsSync(path.join(dir, 'lenet.safetensors'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
