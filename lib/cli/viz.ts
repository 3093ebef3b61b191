// convnode viz <kind> and convnode filter: the visualisations as image files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeImage, imageToInput } from '../data/image';
import { loadModel } from '../io/model-file';
import { Tensor } from '../tensor/tensor';
import { convFilters, featureMaps, invertLayer, maximizeActivation, occlusion, saliency } from '../viz/inspect';
import { filterImage, KERNELS, parseKernel, writeFiltered } from '../viz/image-filters';
import { renderFeatureMaps, renderFilters, renderHeat, renderImage } from '../viz/render';

export const VIZ_KINDS = ['features', 'filters', 'saliency', 'occlusion', 'maximize', 'invert'] as const;

import { parseCommand } from './args';
import { UsageError } from './usage-error';

function num(name: string, v: string | undefined, dflt: number, integer = false): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got '${v}'`);
  return n;
}

/** Returns the files written. */
export function vizCommand(args: string[]): string[] {
  const { values, positionals } = parseCommand(args, {
    model: { type: 'string' }, image: { type: 'string' }, layer: { type: 'string' }, class: { type: 'string' }, out: { type: 'string' },
    size: { type: 'string' }, stride: { type: 'string' }, steps: { type: 'string' }, lr: { type: 'string' }, l2: { type: 'string' },
    tv: { type: 'string' }, unit: { type: 'string' },
  }, true);
  const kind = positionals[0];
  if (!VIZ_KINDS.includes(kind as never)) throw new UsageError(`viz needs a kind: one of ${VIZ_KINDS.join(', ')}${kind ? `, got '${kind}'` : ''}`);
  if (values.model === undefined) throw new UsageError('viz needs --model FILE.safetensors');
  const out = values.out ?? 'viz';
  const { model, info } = loadModel(values.model);
  const written: string[] = [];
  const file = (name: string) => { const f = path.join(out, name); written.push(f); return f; };
  fs.mkdirSync(out, { recursive: true });

  if (kind === 'filters') {
    const filters = convFilters(model);
    if (filters.length === 0) throw new UsageError('the model has no Conv2d layer');
    for (const f of filters) renderFilters(f.weight, `filters of layer ${f.name}: ${f.weight.shape.join('x')}`, file(`filters-${f.name}.png`));
    return written;
  }
  // The renderers map the model's floats back to pixels with each channel's mean and std.
  const channels = info.inputShape[0];
  const perChannel = (v: number | number[]) => (typeof v === 'number' ? Array<number>(channels).fill(v) : v);
  const norm = { mean: perChannel(info.mean), std: perChannel(info.std) };
  const needsImage = kind !== 'maximize';
  let image: Tensor | null = null;
  if (needsImage) {
    if (values.image === undefined) throw new UsageError(`viz ${kind} needs --image FILE (PNG or JPEG)`);
    image = new Tensor(imageToInput(decodeImage(values.image), info.inputShape, norm.mean, norm.std, values.image), [1, ...info.inputShape]);
  }
  const predicted = () => {
    const y = featureMaps(model, image!).at(-1)!.output.data;
    let best = 0;
    for (let i = 1; i < y.length; i++) if (y[i]! > y[best]!) best = i;
    return best;
  };
  const cls = values.class !== undefined ? num('class', values.class, 0, true) : needsImage ? predicted() : 0;
  const className = info.classNames?.[cls] ?? String(cls);

  switch (kind) {
    case 'features': {
      for (const l of featureMaps(model, image!, values.layer)) {
        renderFeatureMaps(l.output, `layer ${l.name} ${l.type}: ${l.output.shape.slice(1).join('x')}`, file(`features-${l.name}-${l.type}.png`));
      }
      break;
    }
    case 'saliency': {
      const map = saliency(model, image!, cls);
      const [, , h, w] = image!.shape as number[];
      renderHeat(map, h!, w!, image!, norm, `saliency for ${className}`, file('saliency.png'), file('saliency-overlay.png'));
      break;
    }
    case 'occlusion': {
      const size = num('size', values.size, Math.max(1, Math.round(info.inputShape[1] / 4)), true);
      const stride = num('stride', values.stride, Math.max(1, Math.round(size / 2)), true);
      const r = occlusion(model, image!, cls, { size, stride });
      const drop = r.probs.map((p) => r.baseline - p);
      renderHeat(drop, r.rows, r.cols, image!, norm, `drop of p(${className}) from ${(100 * r.baseline).toFixed(1)}%`, file('occlusion.png'), file('occlusion-overlay.png'));
      break;
    }
    case 'maximize':
    case 'invert': {
      // Each channel's values of black and white.
      const range = norm.mean.map((m, c) => [(0 - m) / norm.std[c]!, (1 - m) / norm.std[c]!] as const);
      const o = { steps: num('steps', values.steps, 200, true), lr: num('lr', values.lr, 0.02), l2: num('l2', values.l2, 0.05), tv: num('tv', values.tv, 3), range };
      if (kind === 'maximize') {
        const target = values.layer === undefined ? { cls } : { layer: values.layer, unit: num('unit', values.unit, 0, true) };
        const r = maximizeActivation(model, info.inputShape, target, o);
        const what = values.layer === undefined ? `class ${className}` : `layer ${values.layer} unit ${target.unit ?? 0}`;
        renderImage(r.image, norm, `maximizes ${what}`, file(`maximize-${values.layer === undefined ? `class-${cls}` : `${values.layer}-${target.unit ?? 0}`}.png`));
      } else {
        if (values.layer === undefined) throw new UsageError('viz invert needs --layer NAME (whose encoding to invert)');
        const r = invertLayer(model, image!, values.layer, o);
        renderImage(image!, norm, 'original', file('invert-original.png'));
        renderImage(r.image, norm, `from layer ${values.layer}`, file(`invert-${values.layer}.png`));
      }
      break;
    }
  }
  return written;
}

export function filterCommand(args: string[]): string[] {
  const { values, positionals } = parseCommand(args, {
    out: { type: 'string' }, kernel: { type: 'string' }, padding: { type: 'string' }, normalize: { type: 'boolean' },
  }, true);
  const [name, image] = positionals;
  const names = [...Object.keys(KERNELS), 'custom'];
  if (name === undefined || !names.includes(name)) throw new UsageError(`filter needs one of ${names.join(', ')}${name ? `, got '${name}'` : ''}`);
  if (image === undefined) throw new UsageError('filter needs an IMAGE (PNG or JPEG)');
  if (name === 'custom' && values.kernel === undefined) throw new UsageError('filter custom needs --kernel "a,b,c;d,e,f;g,h,i"');
  const padding = values.padding ?? 'same';
  if (padding !== 'same' && padding !== 'valid') throw new UsageError(`--padding must be same or valid, got '${padding}'`);
  const kernel = name === 'custom' ? parseKernel(values.kernel!) : KERNELS[name as keyof typeof KERNELS];
  const out = values.out ?? `${path.basename(image, path.extname(image))}-${name}.png`;
  writeFiltered(filterImage(image, kernel, padding), out, values.normalize ?? false);
  return [out];
}
