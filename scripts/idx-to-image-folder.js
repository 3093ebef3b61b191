#!/usr/bin/env node
// Writes an MNIST-format (IDX) dataset as an image folder, to try the image
// pipeline on data everyone has:
//   node scripts/idx-to-image-folder.js SRC_DIR OUT_DIR [--size 32] [--rgb]
// OUT_DIR/train/<class>/<n>.png and OUT_DIR/val/<class>/<n>.png, from the
// training and t10k files; each 28x28 image centred on a black size x size
// square, grey or (--rgb) the grey repeated in R, G and B. Class folders
// are named by the class names convnode knows for the data (digits, or
// Fashion-MNIST's), prefixed by the label so that they sort in label order.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { PNG } = require('pngjs');
const { readIdx } = require('../dist/data/idx');

const { values, positionals } = parseArgs({ allowPositionals: true, options: { size: { type: 'string' }, rgb: { type: 'boolean' } } });
const [src, out] = positionals;
if (src === undefined || out === undefined) {
  console.error('usage: node scripts/idx-to-image-folder.js SRC_DIR OUT_DIR [--size 32] [--rgb]');
  process.exit(2);
}
const size = Number(values.size ?? 32);
const FASHION = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle-boot'];
const names = /fashion/i.test(src) ? FASHION : FASHION.map((_, i) => String(i));

function find(prefix, kind) {
  for (const base of [`${prefix}-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte`]) {
    for (const f of [base, `${base}.gz`]) if (fs.existsSync(path.join(src, f))) return path.join(src, f);
  }
  throw new Error(`${src}: no ${prefix}-${kind} file`);
}

for (const [prefix, split] of [['train', 'train'], ['t10k', 'val']]) {
  const images = readIdx(find(prefix, 'images')), labels = readIdx(find(prefix, 'labels'));
  const [count, rows, cols] = images.dims;
  const pad = Math.floor((size - rows) / 2);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i];
    const dir = path.join(out, split, `${label}-${names[label]}`);
    if (i < 10 || !fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true });
    const png = new PNG({ width: size, height: size, colorType: values.rgb ? 2 : 0, inputColorType: 6 });
    png.data.fill(0);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const v = images.data[(i * rows + y) * cols + x];
        png.data.set([v, v, v, 255], 4 * ((y + pad) * size + x + pad));
      }
    }
    for (let p = 3; p < png.data.length; p += 4) png.data[p] = 255;
    fs.writeFileSync(path.join(dir, `${String(i).padStart(5, '0')}.png`), PNG.sync.write(png, { colorType: values.rgb ? 2 : 0, inputColorType: 6 }));
  }
  console.log(`${split}: ${count} images in ${path.join(out, split)}`);
}
