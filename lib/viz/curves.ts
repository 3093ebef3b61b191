// Training curves as an SVG image: loss (left axis) and accuracy (right
// axis) against progress in epochs, for the training batches and, when
// present, validation at each epoch end.
export interface CurvePoint {
  /** Progress in epochs (1.5 = half-way through the second epoch). */
  x: number;
  y: number;
}

export interface CurveSet {
  trainLoss: CurvePoint[];
  trainAccuracy: CurvePoint[];
  valLoss: CurvePoint[];
  valAccuracy: CurvePoint[];
}

const W = 720, H = 400, L = 60, R = 60, T = 40, B = 50;

function path(points: CurvePoint[], sx: (v: number) => number, sy: (v: number) => number): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
}

function dots(points: CurvePoint[], sx: (v: number) => number, sy: (v: number) => number, color: string): string {
  return points.map((p) => `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${color}"/>`).join('');
}

export function curvesSvg(c: CurveSet, title: string): string {
  const all = [...c.trainLoss, ...c.valLoss, ...c.trainAccuracy, ...c.valAccuracy];
  const xMax = Math.max(1, ...all.map((p) => p.x));
  const lossMax = Math.max(1e-6, ...c.trainLoss.map((p) => p.y), ...c.valLoss.map((p) => p.y)) * 1.05;
  const sx = (v: number) => L + (v / xMax) * (W - L - R);
  const sLoss = (v: number) => H - B - (v / lossMax) * (H - T - B);
  const sAcc = (v: number) => H - B - v * (H - T - B);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const grid = ticks.map((t) => {
    const y = H - B - t * (H - T - B);
    return `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>` +
      `<text x="${L - 6}" y="${y + 4}" text-anchor="end" fill="#c0392b">${(t * lossMax).toFixed(2)}</text>` +
      `<text x="${W - R + 6}" y="${y + 4}" fill="#2471a3">${(t * 100).toFixed(0)}%</text>`;
  }).join('');
  const xt = Array.from({ length: Math.ceil(xMax) + 1 }, (_, i) => `<text x="${sx(i)}" y="${H - B + 18}" text-anchor="middle">${i}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>
${grid}${xt}
<text x="${W / 2}" y="${H - 12}" text-anchor="middle">epoch</text>
<path d="${path(c.trainLoss, sx, sLoss)}" fill="none" stroke="#c0392b" stroke-width="1.5"/>
<path d="${path(c.trainAccuracy, sx, sAcc)}" fill="none" stroke="#2471a3" stroke-width="1.5"/>
${dots(c.valLoss, sx, sLoss, '#c0392b')}${dots(c.valAccuracy, sx, sAcc, '#2471a3')}
<g transform="translate(${L + 200},${T + 140})">
<line x1="0" x2="20" y1="0" y2="0" stroke="#c0392b" stroke-width="2"/><text x="26" y="4">training loss (running mean over the epoch)</text>
<line x1="0" x2="20" y1="16" y2="16" stroke="#2471a3" stroke-width="2"/><text x="26" y="20">training accuracy (running mean over the epoch)</text>
<circle cx="10" cy="32" r="3.5" fill="#555"/><text x="26" y="36">test loss / accuracy at epoch end</text>
</g>
</svg>
`;
}
