import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskySolveInPlace } from '../../src/math/linalg.js';
import { conjugateGradient, laplacianProduct, laplacianSystem } from '../../src/math/sparse.js';

/** The dense matrix L(w) + λI + c·11ᵀ built entry by entry (an independent construction). */
function denseOf(m: number, i: number[], j: number[], w: number[], lambda: number): Float64Array {
  const a = new Float64Array(m * m);
  for (let k = 0; k < w.length; k++) {
    a[i[k]! * m + i[k]!]! += w[k]!;
    a[j[k]! * m + j[k]!]! += w[k]!;
    a[i[k]! * m + j[k]!]! -= w[k]!;
    a[j[k]! * m + i[k]!]! -= w[k]!;
  }
  let trace = 0;
  for (let v = 0; v < m; v++) {
    a[v * m + v]! += lambda;
    trace += a[v * m + v]!;
  }
  const c = trace > 0 ? trace / (m * m) : 1;
  for (let q = 0; q < m * m; q++) a[q]! += c;
  return a;
}

/** A connected weighted graph: a path through every vertex plus random extra edges. */
const graph = fc.integer({ min: 2, max: 30 }).chain((m) =>
  fc.record({
    m: fc.constant(m),
    path: fc.array(fc.double({ min: 0.05, max: 50, noNaN: true }), { minLength: m - 1, maxLength: m - 1 }),
    extra: fc.array(fc.tuple(fc.nat({ max: m - 1 }), fc.integer({ min: 1, max: m - 1 }), fc.double({ min: 0, max: 50, noNaN: true })), { maxLength: 3 * m }),
    lambda: fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 2, noNaN: true })),
    b: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: m, maxLength: m }),
  }),
);

function edgesOf(g: { m: number; path: number[]; extra: [number, number, number][] }) {
  const i: number[] = [];
  const j: number[] = [];
  const w: number[] = [];
  g.path.forEach((x, v) => (i.push(v), j.push(v + 1), w.push(x)));
  for (const [a, d, x] of g.extra) {
    const b = (a + d) % g.m;
    i.push(Math.min(a, b));
    j.push(Math.max(a, b));
    w.push(x);
  }
  return { i, j, w };
}

describe('conjugateGradient on L + λI + c·11ᵀ: known values', () => {
  it('the path 0–1–2 with unit weights: A·x = (1, 0, −1) has x = (1, 0, −1)', () => {
    const sys = laplacianSystem(3, Int32Array.of(0, 1), Int32Array.of(1, 2), [1, 1], 0);
    expect(sys.c).toBeCloseTo(4 / 9, 15);
    const x = new Float64Array(3);
    const r = conjugateGradient(sys, [1, 0, -1], x, 1e-14, 100);
    expect(r.converged).toBe(true);
    expect([...x].map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 0, -1]);
  });
  it('a ridge alone (no edges): x = b/(λ + c) on vectors with Σb = 0', () => {
    const sys = laplacianSystem(2, new Int32Array(0), new Int32Array(0), [], 0.5);
    const x = new Float64Array(2);
    conjugateGradient(sys, [2, -2], x, 1e-14, 10);
    expect(x[0]).toBeCloseTo(4, 12);
    expect(x[1]).toBeCloseTo(-4, 12);
  });
});

describe('conjugateGradient: agreement with the dense Cholesky solve', () => {
  it('the product equals the dense matrix times x, and the solve equals the dense solve to 1e-8 relative, on random connected graphs', () => {
    fc.assert(
      fc.property(graph, (g) => {
        const { i, j, w } = edgesOf(g);
        const sys = laplacianSystem(g.m, Int32Array.from(i), Int32Array.from(j), w, g.lambda);
        const a = denseOf(g.m, i, j, w, g.lambda);
        const y = new Float64Array(g.m);
        laplacianProduct(sys, g.b, y);
        for (let r = 0; r < g.m; r++) {
          let s = 0;
          for (let q = 0; q < g.m; q++) s += a[r * g.m + q]! * g.b[q]!;
          expect(Math.abs(y[r]! - s)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(s)));
        }
        expect(choleskyInPlace(a, g.m)).toBe(true);
        const want = Float64Array.from(g.b);
        choleskySolveInPlace(a, g.m, want);
        const x = new Float64Array(g.m);
        const r = conjugateGradient(sys, g.b, x, 1e-13, 10_000);
        expect(r.converged).toBe(true);
        let scale = 0;
        for (const v of want) scale = Math.max(scale, Math.abs(v));
        for (let v = 0; v < g.m; v++) expect(Math.abs(x[v]! - want[v]!)).toBeLessThanOrEqual(1e-8 * (1 + scale));
      }),
    );
  });
  it('a warm start at the solution stops at once; a zero right-hand side gives zero', () => {
    const sys = laplacianSystem(3, Int32Array.of(0, 1), Int32Array.of(1, 2), [1, 2], 0.1);
    const x = new Float64Array(3);
    conjugateGradient(sys, [1, 2, -3], x, 1e-14, 100);
    const again = Float64Array.from(x);
    expect(conjugateGradient(sys, [1, 2, -3], again, 1e-10, 100).iterations).toBe(0);
    const z = Float64Array.of(5, 5, 5);
    expect(conjugateGradient(sys, [0, 0, 0], z, 1e-10, 100).iterations).toBe(0);
    expect([...z]).toEqual([0, 0, 0]);
  });
});
