/**
 * Rotation of square images by multiples of 90 degrees, counterclockwise (as PIL's
 * Image.rotate(90 * k), which the ProtoNets / Reptile Omniglot pipelines use for their
 * rot090 / rot180 / rot270 classes).
 *   src, dst: [C, S, S] starting at srcOffset / dstOffset; they must not overlap.
 * dst[i][j] = src[si][sj] with (si, sj) = (i, j), (j, S-1-i), (S-1-i, S-1-j), (S-1-j, i) for
 * k = 0..3; the source index is linear in i and j, so each k is one strided copy.
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
  // Source index of dst[i][j] = start + i * rowStep + j * colStep.
  const start = [0, last, last * side + last, last * side][k];
  const rowStep = [side, -1, -side, 1][k];
  const colStep = [1, side, -1, -side][k];
  const plane = side * side;
  for (let c = 0; c < channels; c++) {
    const s0 = srcOffset + c * plane + start;
    let d = dstOffset + c * plane;
    for (let i = 0; i < side; i++) {
      let s = s0 + i * rowStep;
      for (let j = 0; j < side; j++, s += colStep) dst[d++] = src[s];
    }
  }
}
