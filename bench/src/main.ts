// npm run bench: run the suite, write bench/RESULTS.md,
// bench/results.json and bench/chart.svg.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { nativeStatus, useBackend } from '../../lib/backend';
import { chartSvg, markdown } from './report';
import { BENCH_SECTIONS, runBench, type BenchSection } from './run';

export async function benchCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args, strict: true, options: {
      quick: { type: 'boolean' }, isa: { type: 'string' }, out: { type: 'string' }, rounds: { type: 'string' },
      budget: { type: 'string' }, 'no-peers': { type: 'boolean' }, only: { type: 'string' },
    },
  });
  const isas = values.isa ?? 'best';
  if (isas !== 'best' && isas !== 'all') throw new RangeError(`--isa must be best or all, got '${isas}'`);
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0)) throw new RangeError(`--${name} must be a positive number, got '${v}'`);
    return n;
  };
  const rounds = num('rounds', values.rounds), budget = num('budget', values.budget);
  let only: Set<BenchSection> | undefined;
  if (values.only !== undefined) {
    only = new Set();
    for (const name of values.only.split(',')) {
      if (!(BENCH_SECTIONS as readonly string[]).includes(name)) throw new RangeError(`--only takes a comma-separated list of ${BENCH_SECTIONS.join(', ')}; got '${name}'`);
      only.add(name as BenchSection);
    }
  }
  // A partial run must not overwrite the committed full report by default.
  const out = values.out ?? (only === undefined ? 'bench' : path.join(os.tmpdir(), 'convnode-bench'));
  const t0 = Date.now();
  const results = await runBench({
    quick: values.quick ?? false, isas, peers: !values['no-peers'], ...(only !== undefined ? { only } : {}),
    ...(rounds !== undefined ? { rounds } : {}),
    ...(budget !== undefined ? { budget } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (nativeStatus().available) useBackend('native');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 1) + '\n');
  fs.writeFileSync(path.join(out, 'RESULTS.md'), markdown(results));
  fs.writeFileSync(path.join(out, 'chart.svg'), chartSvg(results));
  process.stderr.write(`bench: wrote ${path.join(out, 'RESULTS.md')}, results.json and chart.svg in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

if (require.main === module) {
  benchCommand(process.argv.slice(2)).catch((err: Error) => {
    console.error(`bench: ${err.message}`);
    process.exitCode = 1;
  });
}
