/**
 * float32(byte / 255) for every byte: the exact float32 of the tutorial's
 * `X / 255.0` (multiplying by a rounded 1/255 is off by an ulp for some bytes).
 */
export const BYTE_TO_UNIT = (() => {
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) table[b] = b / 255;
  return table;
})();

/** out[outOffset + i] = src[srcOffset + i] / 255 for i < n (the JS path). */
export function bytesToUnitJs(out: Float32Array, outOffset: number, src: Uint8Array, srcOffset: number, n: number): void {
  const table = BYTE_TO_UNIT;
  for (let i = 0; i < n; i++) out[outOffset + i] = table[src[srcOffset + i]];
}
