// Resizing 8-bit images for the pure-JS decode path (sharp does its own):
// a separable triangle (bilinear) filter whose support widens by the
// reduction factor when shrinking, so downscaled images are antialiased
// as PIL's and torchvision's bilinear resize are; pixel centres aligned
// (align_corners false).

/** For each output pixel along an axis: the first input pixel and the normalised weights. */
function weightsFor(inSize: number, outSize: number, offset: number, span: number): Array<{ first: number; w: Float64Array }> {
  const scale = span / outSize;
  const support = Math.max(1, scale);
  return Array.from({ length: outSize }, (_, o) => {
    const centre = offset + (o + 0.5) * scale;
    const first = Math.max(0, Math.floor(centre - support));
    const last = Math.min(inSize - 1, Math.ceil(centre + support));
    const w = new Float64Array(last - first + 1);
    let total = 0;
    for (let i = first; i <= last; i++) {
      const v = Math.max(0, 1 - Math.abs(i + 0.5 - centre) / support);
      w[i - first] = v;
      total += v;
    }
    if (total === 0) {
      // The window fell between pixel centres at the edge: take the nearest.
      const nearest = Math.min(inSize - 1, Math.max(0, Math.floor(centre)));
      return { first: nearest, w: Float64Array.of(1) };
    }
    for (let k = 0; k < w.length; k++) w[k]! /= total;
    return { first, w };
  });
}

/**
 * Resizes so the shorter side is `size`, then takes the central size x size
 * square (torchvision's Resize(size) + CenterCrop(size)); the crop is done
 * on the filter's source window, so only the kept pixels are computed.
 * pixels: h x w x c bytes (interleaved). Returns c x size x size bytes (planar, CHW).
 */
export function resizeCoverToChw(pixels: Uint8Array, w: number, h: number, c: number, size: number): Uint8Array {
  const scale = size / Math.min(w, h);
  const rw = Math.round(w * scale), rh = Math.round(h * scale);
  // The central size x size of the resized image, in source coordinates.
  const cropX = Math.floor((rw - size) / 2), cropY = Math.floor((rh - size) / 2);
  const xs = weightsFor(w, size, cropX * (w / rw), size * (w / rw));
  const ys = weightsFor(h, size, cropY * (h / rh), size * (h / rh));
  // Horizontal pass over every source row, then vertical.
  const tmp = new Float64Array(h * size * c);
  for (let r = 0; r < h; r++) {
    for (let o = 0; o < size; o++) {
      const { first, w: wt } = xs[o]!;
      for (let ch = 0; ch < c; ch++) {
        let v = 0;
        for (let k = 0; k < wt.length; k++) v += wt[k]! * pixels[((r * w) + first + k) * c + ch]!;
        tmp[(r * size + o) * c + ch] = v;
      }
    }
  }
  const out = new Uint8Array(c * size * size);
  for (let o = 0; o < size; o++) {
    const { first, w: wt } = ys[o]!;
    for (let x = 0; x < size; x++) {
      for (let ch = 0; ch < c; ch++) {
        let v = 0;
        for (let k = 0; k < wt.length; k++) v += wt[k]! * tmp[((first + k) * size + x) * c + ch]!;
        out[(ch * size + o) * size + x] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return out;
}
