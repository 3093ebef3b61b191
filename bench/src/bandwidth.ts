// The machine's memory bandwidth, for the pooling target: the best of a few
// copies of a buffer far larger than the caches (TypedArray.set is a
// memmove), counting the bytes read and the bytes written.
export function copyBandwidth(quick: boolean): number {
  const n = (quick ? 16 : 64) << 20; // floats: 64 or 256 MB per buffer
  const src = new Float32Array(n).fill(1), dst = new Float32Array(n);
  dst.set(src); // fault the pages in
  let best = Infinity;
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const t0 = performance.now();
    dst.set(src);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return (2 * 4 * n) / best / 1e9;
}
