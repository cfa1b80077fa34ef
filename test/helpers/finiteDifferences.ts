/**
 * Central finite differences in float64, the independent reference for derivatives:
 * df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h, error O(h^2).
 */
import { expect } from 'vitest';

/** Gradient of a scalar function of several flat float64 inputs. */
export function numericGradient(f: (xs: Float64Array[]) => number, xs: Float64Array[], h = 1e-5): Float64Array[] {
  return xs.map((x, k) => {
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const plus = xs.map((y) => y.slice());
      const minus = xs.map((y) => y.slice());
      plus[k][i] += h;
      minus[k][i] -= h;
      g[i] = (f(plus) - f(minus)) / (2 * h);
    }
    return g;
  });
}

/** Directional derivative of a vector function along v: (f(x + h v) - f(x - h v)) / 2h. */
export function numericDirectional(
  f: (xs: Float64Array[]) => Float64Array,
  xs: Float64Array[],
  v: Float64Array[],
  h = 1e-5,
): Float64Array {
  const shifted = (s: number) => xs.map((x, k) => x.map((xi, i) => xi + s * h * v[k][i]));
  const plus = f(shifted(1));
  const minus = f(shifted(-1));
  return plus.map((p, i) => (p - minus[i]) / (2 * h));
}

/** Elementwise |a - b| <= atol + rtol |b|, with a message naming the first offending index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-6, rtol = 1e-5, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]);
    if (!ok) {
      expect.fail(`${what} differs at index ${i}: got ${actual[i]}, expected ${expected[i]} (atol ${atol}, rtol ${rtol})`);
    }
  }
}
