export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Horizontal sum of the four lanes of a v128 local. */
export function hsum(v: string): string {
  return `(f32.add (f32.add (f32x4.extract_lane 0 (local.get ${v})) (f32x4.extract_lane 1 (local.get ${v}))) (f32.add (f32x4.extract_lane 2 (local.get ${v})) (f32x4.extract_lane 3 (local.get ${v}))))`;
}
