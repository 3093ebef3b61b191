// The native headers generated from lib/backend/contracts.ts must be what
// the table renders now: a contract changed without `npm run generate`
// fails here (and CONVNODE_WRITE_GENERATED=1 rewrites them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../scripts/contract-header';

const root = path.resolve(__dirname, '..');

describe('generated contract headers', () => {
  for (const [file, text] of Object.entries(generatedFiles())) {
    it(`${file} is current`, () => {
      const target = path.join(root, file);
      if (process.env['CONVNODE_WRITE_GENERATED'] === '1') fs.writeFileSync(target, text);
      expect(fs.readFileSync(target, 'utf8'), `run \`npm run generate\` to rewrite ${file}`).toBe(text);
    });
  }
});
