// A native contender's share of the machine's peak FMA throughput, the one
// definition the report's tables and the targets both use.
import type { BenchResults } from './run';
import { median, type Outcome } from './timing';

/** The peak probed at the start of the run for a native contender's ISA path and thread count. */
export function startPeak(r: BenchResults, name: string): number | undefined {
  const c = r.contenders.find((x) => x.name === name);
  if (c?.kind !== 'native') return undefined;
  return r.peak.find((p) => p.isa === c.isa && p.threads === c.threads)?.gflops;
}

/**
 * Percent of peak of `flops` done in the outcome's time. Where the runner
 * probed the peak just before each sample (the GEMM rows), it is the median
 * over rounds of each sample against its own probe; otherwise the median
 * time against the probe at the start of the run.
 */
export function percentOfPeak(r: BenchResults, name: string, out: Outcome | undefined, flops: number): number | undefined {
  if (out?.kind !== 'measured') return undefined;
  const { samples, peaks } = out.m;
  if (samples !== undefined && peaks !== undefined && peaks.length === samples.length && samples.length > 0) {
    return median(samples.map((t, i) => (100 * flops) / t / 1e9 / peaks[i]!));
  }
  const peak = startPeak(r, name);
  return peak === undefined ? undefined : (100 * flops) / out.m.median / 1e9 / peak;
}
