#!/usr/bin/env node
// Writes an MNIST-format (IDX) dataset as an image folder, to try the image
// pipeline on data everyone has:
//   node scripts/idx-to-image-folder.js SRC_DIR OUT_DIR [--size 32] [--rgb]
// OUT_DIR/train/<class>/<n>.png and OUT_DIR/val/<class>/<n>.png, from the
// training and t10k files; each 28x28 image centred on a black size x size
// square, grey or (--rgb) the grey repeated in R, G and B. Class folders
// are named by the class names convnode knows for the data (digits, or
// Fashion-MNIST's; mnist.ts), prefixed by the label so that they sort in
// label order.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { PNG } = require('pngjs');
const { readIdx } = require('../dist/data/idx');
const { findIdxFile, mnistClassNames } = require('../dist/data/mnist');

const { values, positionals } = parseArgs({ allowPositionals: true, options: { size: { type: 'string' }, rgb: { type: 'boolean' } } });
const [src, out] = positionals;
if (src === undefined || out === undefined) {
  console.error('usage: node scripts/idx-to-image-folder.js SRC_DIR OUT_DIR [--size 32] [--rgb]');
  process.exit(2);
}
const size = Number(values.size ?? 32);
// Folder names: no '/' ('T-shirt/top'), no spaces ('Ankle boot').
const names = (mnistClassNames(src, 10) ?? []).map((n) => n.replace(/[/ ]/g, '-'));

const made = new Set();
for (const [prefix, split] of [['train', 'train'], ['t10k', 'val']]) {
  const images = readIdx(findIdxFile(src, `${prefix}-images-idx3-ubyte`)), labels = readIdx(findIdxFile(src, `${prefix}-labels-idx1-ubyte`));
  const [count, rows, cols] = images.dims;
  const pad = Math.floor((size - rows) / 2);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i];
    const dir = path.join(out, split, names[label] === undefined ? String(label) : `${label}-${names[label]}`);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
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
