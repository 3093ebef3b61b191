// What `convnode train --data DIR` (and eval) read: an MNIST-format (IDX)
// folder, CIFAR-10/100 binary files, or an image folder, told apart by
// their files, in that order.
import * as fs from 'node:fs';
import { cifarVariant, loadCifarFolder } from './cifar';
import type { DataSplits } from './dataset';
import { loadImageFolderSplits, type ImageFolderOptions } from './image-folder';
import { isMnistFolder, loadMnistFolder } from './mnist';

export type DataFolderKind = 'idx' | 'cifar' | 'image-folder';

export interface DataFolder {
  splits: DataSplits;
  kind: DataFolderKind;
  /** One line for the user: what was found and how it was read. */
  description: string;
}

export async function loadDataFolder(dir: string, options: ImageFolderOptions & { seed?: number } = {}): Promise<DataFolder> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: no such folder`);
  if (isMnistFolder(dir)) {
    const splits = loadMnistFolder(dir);
    return { splits, kind: 'idx', description: `an MNIST-format (IDX) folder: ${splits.train.length} training, ${splits.test.length} test images` };
  }
  const variant = cifarVariant(dir);
  if (variant !== null) {
    const splits = loadCifarFolder(dir);
    return { splits, kind: 'cifar', description: `${variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} binary files: ${splits.train.length} training, ${splits.test.length} test images` };
  }
  const splits = await loadImageFolderSplits(dir, options);
  const [c, h, w] = splits.train.imageShape;
  const skipped = splits.skipped.length > 0 ? `, ${splits.skipped.length} file(s) skipped` : '';
  return {
    splits, kind: 'image-folder',
    description: `an image folder: ${splits.classNames!.length} classes, ${splits.train.length + splits.test.length} images as ${c}x${h}x${w} ` +
      `(decoded with ${Object.entries(splits.decoders).map(([d, n]) => `${d}: ${n}`).join(', ')}${skipped}); test set: ${splits.split}`,
  };
}
