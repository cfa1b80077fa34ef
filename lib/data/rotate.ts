/**
 * Rotation of square images by multiples of 90 degrees, counterclockwise (as PIL's
 * Image.rotate(90 * k), which the ProtoNets / Reptile Omniglot pipelines use for their
 * rot090 / rot180 / rot270 classes).
 *   src, dst: [C, S, S] starting at srcOffset / dstOffset; they must not overlap.
 */
export function rotateQuarterTurns(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  channels: number,
  side: number,
  quarterTurns: number,
): void {
  const k = ((quarterTurns % 4) + 4) % 4;
  const last = side - 1;
  for (let c = 0; c < channels; c++) {
    const base = c * side * side;
    const s0 = srcOffset + base;
    const d0 = dstOffset + base;
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++) {
        // dst[i][j] = src at the position that rotates onto (i, j).
        let si: number;
        let sj: number;
        if (k === 0) {
          si = i;
          sj = j;
        } else if (k === 1) {
          si = j;
          sj = last - i;
        } else if (k === 2) {
          si = last - i;
          sj = last - j;
        } else {
          si = last - j;
          sj = i;
        }
        dst[d0 + i * side + j] = src[s0 + si * side + sj];
      }
    }
  }
}
