import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../lib/errors.js';
import { ArrayDataset } from '../../lib/data/arrayDataset.js';
import type { EpisodeArrays } from '../../lib/data/episode.js';
import { randomClassRotation, randomCrop, randomHorizontalFlip } from '../../lib/data/episodeTransforms.js';
import { Random } from '../../lib/data/random.js';
import { resizeImage } from '../../lib/data/resize.js';
import { rotateQuarterTurns } from '../../lib/data/rotate.js';
import { RotatedClassesDataset, withRotations } from '../../lib/data/rotatedClassesDataset.js';

// 3x3 image with distinct values:  1 2 3 / 4 5 6 / 7 8 9
const image = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

function rotated(k: number): number[] {
  const out = new Float32Array(9);
  rotateQuarterTurns(image, 0, out, 0, 1, 3, k);
  return Array.from(out);
}

function episodeOf(x: Float32Array, count: number, side: number, labels: number[]): EpisodeArrays {
  return {
    support: { x, y: Int32Array.from(labels), shape: [count, 1, side, side] },
    query: { x: new Float32Array(0), y: new Int32Array(0), shape: [0, 1, side, side] },
    classes: [...new Set(labels)],
    shots: [],
    queries: [],
    source: 0,
  };
}

describe('rotation by quarter turns (counterclockwise, as PIL rotate)', () => {
  it('matches rotations written out by hand', () => {
    expect(rotated(0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rotated(1)).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]); // 90 deg CCW: right column becomes top row
    expect(rotated(2)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(rotated(3)).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
  });

  it('RotatedClassesDataset makes (class, rotation) classes and names them', () => {
    const base = new ArrayDataset({ name: 'tiny', exampleShape: [1, 3, 3], values: image, classStarts: Int32Array.from([0, 1]), classNames: ['a/char'] });
    const all = withRotations(base);
    expect(all.numClasses).toBe(4);
    expect(all.className(1)).toBe('a/char/rot090');
    const out = new Float32Array(9);
    all.getExample(3, 0, out, 0);
    expect(Array.from(out)).toEqual(rotated(3));
    expect(() => new RotatedClassesDataset(base, [{ baseClass: 1, quarterTurns: 0 }])).toThrow(ValueError);
    const wide = new ArrayDataset({ name: 'wide', exampleShape: [1, 1, 2], values: new Float32Array(2), classStarts: Int32Array.from([0, 1]), classNames: ['w'] });
    expect(() => withRotations(wide)).toThrow(ShapeError);
  });
});

describe('episode transforms', () => {
  it('randomClassRotation turns all images of one label by the same amount', () => {
    const x = new Float32Array(27);
    for (let i = 0; i < 3; i++) x.set(image, i * 9);
    const ep = episodeOf(x, 3, 3, [0, 0, 1]);
    randomClassRotation([1]).apply(ep, new Random(1));
    for (let i = 0; i < 3; i++) expect(Array.from(x.subarray(i * 9, i * 9 + 9))).toEqual(rotated(1));
    expect(() => randomClassRotation([4])).toThrow(ValueError);
  });

  it('randomHorizontalFlip with probability 1 mirrors rows; 0 leaves them', () => {
    const x = Float32Array.from(image);
    randomHorizontalFlip({ probability: 1 }).apply(episodeOf(x, 1, 3, [0]), new Random(1));
    expect(Array.from(x)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
    randomHorizontalFlip({ probability: 0 }).apply(episodeOf(x, 1, 3, [0]), new Random(1));
    expect(Array.from(x)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
  });

  it('randomCrop shifts content within the padding, filling zeros', () => {
    const rng = new Random(2);
    for (let trial = 0; trial < 30; trial++) {
      const x = Float32Array.from(image);
      randomCrop({ padding: 1 }).apply(episodeOf(x, 1, 3, [0]), rng);
      // Each result is the image shifted by (dy, dx) in {-1,0,1}^2: find the shift that explains it.
      const explained = [-1, 0, 1].some((dy) =>
        [-1, 0, 1].some((dx) =>
          Array.from(x).every((v, p) => {
            const sy = Math.floor(p / 3) + dy;
            const sx = (p % 3) + dx;
            return v === (sy >= 0 && sy < 3 && sx >= 0 && sx < 3 ? image[sy * 3 + sx] : 0);
          }),
        ),
      );
      expect(explained).toBe(true);
    }
    expect(() => randomCrop({ padding: -1 })).toThrow(ValueError);
  });

  it('transforms need image episodes', () => {
    const flat: EpisodeArrays = { ...episodeOf(new Float32Array(3), 1, 1, [0]) };
    flat.support.shape = [1, 3];
    expect(() => randomHorizontalFlip().apply(flat, new Random(1))).toThrow(ShapeError);
  });
});

describe('resizeImage', () => {
  // 4x4 ramp: value = 4 * row + col
  const ramp = Float32Array.from({ length: 16 }, (_, i) => i);

  it('nearest 4 -> 2 samples pixel centres 1 and 3 (floor((i + 0.5) * 2))', () => {
    const out = new Float32Array(4);
    resizeImage(ramp, 1, 4, 4, 2, 2, 'nearest', out);
    expect(Array.from(out)).toEqual([5, 7, 13, 15]);
  });

  it('bilinear 4 -> 2 averages the 2x2 blocks (centres at 0.5 and 2.5)', () => {
    const out = new Float32Array(4);
    resizeImage(ramp, 1, 4, 4, 2, 2, 'bilinear', out);
    expect(Array.from(out)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('bilinear 2 -> 4 interpolates with clamped edges', () => {
    const out = new Float32Array(4);
    resizeImage(Float32Array.from([0, 4]), 1, 1, 2, 1, 4, 'bilinear', out);
    // positions (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1
    expect(Array.from(out)).toEqual([0, 1, 3, 4]);
  });

  it('rejects buffers that do not fit', () => {
    expect(() => resizeImage(ramp, 1, 4, 4, 2, 2, 'nearest', new Float32Array(3))).toThrow(ValueError);
  });
});
