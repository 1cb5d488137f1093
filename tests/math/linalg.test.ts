import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { choleskyInPlace, choleskyInverse, sandwichEntry, sandwichFactors, sandwichMatrix, sandwichProduct } from '../../src/math/linalg.js';

/** Plain textbook triple loop, written independently of the library's dot-product forms. */
function naiveMul(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  return a.map((_, i) => Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i]![k]! * b[k]![j]!;
    return s;
  }));
}
const flat = (a: number[][]) => Float64Array.from(a.flat());
const rows = (x: Float64Array, n: number) => Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * n, i * n + n)));

/** A random symmetric positive-definite matrix M·Mᵀ + n·I, and a random symmetric PSD one. */
const spd = (n: number) =>
  fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n * n, maxLength: n * n }).map((v) => {
    const m = Array.from({ length: n }, (_, i) => v.slice(i * n, i * n + n));
    const mt = m[0]!.map((_, j) => m.map((r) => r[j]!));
    return naiveMul(m, mt).map((r, i) => r.map((x, j) => x + (i === j ? n : 0)));
  });

describe('choleskyInverse', () => {
  it('inverts a known 3×3 matrix (hand-computed: [[4,2,0],[2,5,2],[0,2,5]]⁻¹ = [[21,−10,4],[−10,20,−8],[4,−8,16]]/64)', () => {
    const a = flat([[4, 2, 0], [2, 5, 2], [0, 2, 5]]);
    expect(choleskyInPlace(a, 3)).toBe(true);
    const inv = choleskyInverse(a, 3);
    const want = [21, -10, 4, -10, 20, -8, 4, -8, 16].map((x) => x / 64);
    want.forEach((w, k) => expect(inv[k]).toBeCloseTo(w, 14));
  });

  it('A·A⁻¹ = I and A⁻¹ is exactly symmetric, for random SPD matrices of sizes 1–9', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }).chain((n) => spd(n).map((a) => [n, a] as const)), ([n, a]) => {
      const l = flat(a);
      expect(choleskyInPlace(l, n)).toBe(true);
      const inv = choleskyInverse(l, n);
      const prod = naiveMul(a, rows(inv, n));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          expect(Math.abs(prod[i]![j]! - (i === j ? 1 : 0))).toBeLessThan(1e-10);
          expect(inv[i * n + j]).toBe(inv[j * n + i]);
        }
      }
    }), { numRuns: 200 });
  });
});

describe('sandwichProduct', () => {
  it('equals H⁻¹·B·H⁻¹ by Gauss–Jordan inverse and plain products, for random H (SPD) and B (symmetric)', () => {
    const gaussJordan = (a: number[][]) => {
      const n = a.length;
      const m = a.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
      for (let c = 0; c < n; c++) {
        let p = c;
        for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
        [m[c], m[p]] = [m[p]!, m[c]!];
        const d = m[c]![c]!;
        m[c] = m[c]!.map((x) => x / d);
        for (let r = 0; r < n; r++) if (r !== c) { const f = m[r]![c]!; m[r] = m[r]!.map((x, k) => x - f * m[c]![k]!); }
      }
      return m.map((r) => r.slice(n));
    };
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.constant(n), spd(n), spd(n))),
      ([n, h, b0]) => {
        const b = b0.map((r, i) => r.map((x, j) => (i === j ? x - 2 * n : x))); // symmetric, indefinite in general
        const hi = gaussJordan(h);
        const want = naiveMul(naiveMul(hi, b), hi);
        const got = sandwichProduct(flat(h), flat(b), n)!;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          expect(Math.abs(got[i * n + j]! - want[i]![j]!)).toBeLessThan(1e-9 * (1 + Math.abs(want[i]![j]!)));
        }
      },
    ), { numRuns: 200 });
  });

  it('returns null when H is not positive definite', () => {
    expect(sandwichProduct(flat([[1, 2], [2, 1]]), flat([[1, 0], [0, 1]]), 2)).toBeNull();
  });
});

describe('choleskyInPlace', () => {
  it('L·Lᵀ reproduces A and L is lower triangular with a positive diagonal, sizes 1–12 (the 4-row blocks and their remainders)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }).chain((n) => spd(n).map((a) => [n, a] as const)), ([n, a]) => {
      const l = flat(a);
      expect(choleskyInPlace(l, n)).toBe(true);
      const low = rows(l, n).map((r, i) => r.map((x, j) => (j <= i ? x : 0)));
      const back = naiveMul(low, low.map((_, i) => low.map((r) => r[i]!)));
      for (let i = 0; i < n; i++) {
        expect(low[i]![i]).toBeGreaterThan(0);
        for (let j = 0; j < n; j++) expect(Math.abs(back[i]![j]! - a[i]![j]!)).toBeLessThan(1e-9 * (1 + Math.abs(a[i]![j]!)));
      }
    }), { numRuns: 200 });
  });

  it('factors a known matrix (hand-computed: [[4,2,0],[2,5,2],[0,2,5]] = L·Lᵀ with L = [[2,0,0],[1,2,0],[0,1,2]])', () => {
    const a = flat([[4, 2, 0], [2, 5, 2], [0, 2, 5]]);
    expect(choleskyInPlace(a, 3)).toBe(true);
    expect([a[0], a[3], a[4], a[6], a[7], a[8]]).toEqual([2, 1, 2, 0, 1, 2]);
  });

  it('reports a matrix that is not positive definite', () => {
    expect(choleskyInPlace(flat([[1, 2], [2, 1]]), 2)).toBe(false);
  });
});

describe('sandwich factors', () => {
  it('every entry on demand equals the whole matrix bit for bit, and the matrix is exactly symmetric (sizes 1–11)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 11 }).chain((n) => fc.tuple(fc.constant(n), spd(n), spd(n))), ([n, h, b]) => {
        const f = sandwichFactors(flat(h), flat(b), n)!;
        const full = sandwichMatrix(f);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          expect(Object.is(sandwichEntry(f, i, j), full[i * n + j])).toBe(true);
          expect(full[i * n + j]).toBe(full[j * n + i]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
