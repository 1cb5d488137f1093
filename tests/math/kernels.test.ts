import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cholesky,
  choleskyJs,
  inverseFromFactor,
  lowerInverseTJs,
  pairedDot,
  productNT,
  productNTJs,
  sandwichKernel,
  setKernelBackend,
  wasmKernels,
} from '../../src/math/kernels.js';
import { choleskyInPlace, choleskyInverse, sandwichProduct } from '../../src/math/linalg.js';

const root = join(import.meta.dirname, '..', '..');

/** Same bits, entry by entry (Object.is: −0 and 0 differ, NaN equals NaN). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** A random n×n matrix from a fast-check seed (entries in (−1, 1), some exact zeros). */
function matrix(n: number, seed: number, zeros = 0.1): Float64Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = next() < zeros ? 0 : 2 * next() - 1;
  return a;
}

/** A symmetric positive-definite matrix M·Mᵀ + n·I. */
function spd(n: number, seed: number): Float64Array {
  const m = matrix(n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += m[i * n + k]! * m[j * n + k]!;
      a[i * n + j] = s + (i === j ? n : 0);
    }
  }
  return a;
}

const sizes = fc.integer({ min: 1, max: 41 });
const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });

afterEach(() => setKernelBackend('auto'));

describe('WebAssembly kernels (src/math/kernels.wat)', () => {
  it('the committed bytes are a fresh compile of kernels.wat (scripts/kernels.mjs --check)', () => {
    const p = spawnSync(process.execPath, [join(root, 'scripts', 'kernels.mjs'), '--check'], { encoding: 'utf8' });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
  });

  it('are available in this runtime (Node ≥ 20 has WebAssembly SIMD)', () => {
    expect(wasmKernels()).not.toBeNull();
  });

  it('productNT: WebAssembly and JavaScript agree bit for bit, all four flag combinations, odd and even sizes', () => {
    fc.assert(
      fc.property(sizes, seeds, fc.boolean(), fc.boolean(), (n, seed, sym, upper) => {
        const x = matrix(n, seed);
        let y = matrix(n, seed + 1);
        if (sym) y = x; // X·Xᵀ is symmetric
        if (upper) for (let i = 0; i < n; i++) for (let k = 0; k < i; k++) y[i * n + k] = 0;
        if (sym && upper) for (let i = 0; i < n; i++) for (let k = 0; k < i; k++) x[i * n + k] = 0;
        const js = new Float64Array(n * n);
        productNTJs(x, y, js, n, sym, upper);
        setKernelBackend('wasm');
        const w = new Float64Array(n * n);
        productNT(x, y, w, n, sym, upper);
        return sameBits(js, w);
      }),
      { numRuns: 300 },
    );
  });

  it('productNT equals the plain triple loop to rounding, and each entry equals pairedDot bit for bit', () => {
    for (const n of [1, 2, 3, 16, 17, 33]) {
      const x = matrix(n, 7 * n);
      const y = matrix(n, 11 * n);
      setKernelBackend('wasm');
      const out = new Float64Array(n * n);
      productNT(x, y, out, n, false, false);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += x[i * n + k]! * y[j * n + k]!;
          expect(Math.abs(out[i * n + j]! - s)).toBeLessThan(1e-13 * n);
          expect(Object.is(out[i * n + j], pairedDot(x, i * n, y, j * n, n))).toBe(true);
        }
      }
    }
  });

  it('cholesky: the same bits in both implementations, L·Lᵀ = A, and both refuse a matrix that is not positive definite', () => {
    fc.assert(
      fc.property(sizes, seeds, (n, seed) => {
        const a = spd(n, seed);
        const js = Float64Array.from(a);
        const okJs = choleskyJs(js, n);
        setKernelBackend('wasm');
        const w = Float64Array.from(a);
        const okW = cholesky(w, n);
        if (!okJs || !okW || !sameBits(js, w)) return false;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let k = 0; k <= j; k++) s += w[i * n + k]! * w[j * n + k]!;
            if (Math.abs(s - a[i * n + j]!) > 1e-11 * n * n) return false;
          }
        }
        // one negative pivot: A − (λ_min-beating) shift on the last diagonal entry
        const bad = Float64Array.from(a);
        bad[n * n - 1] = -1;
        const bw = Float64Array.from(bad);
        return choleskyJs(bad, n) === false && cholesky(bw, n) === false;
      }),
      { numRuns: 200 },
    );
  });

  it('the inverse from the factor: the same bits in both implementations and A·A⁻¹ = I (sizes to 41)', () => {
    fc.assert(
      fc.property(sizes, seeds, (n, seed) => {
        const a = spd(n, seed);
        const l = Float64Array.from(a);
        choleskyJs(l, n);
        const wt = new Float64Array(n * n);
        lowerInverseTJs(l, wt, n);
        const js = new Float64Array(n * n);
        productNTJs(wt, wt, js, n, true, true);
        setKernelBackend('wasm');
        const w = inverseFromFactor(l, n);
        if (!sameBits(js, w)) return false;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += a[i * n + k]! * w[k * n + j]!;
            if (Math.abs(s - (i === j ? 1 : 0)) > 1e-12 * n) return false;
          }
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });

  it('the sandwich kernel: the same bits in both implementations, and H⁻¹·B·H⁻¹ by the public API to rounding', () => {
    fc.assert(
      fc.property(sizes, seeds, (n, seed) => {
        const h = spd(n, seed);
        const b = spd(n, seed + 3);
        const run = (be: 'js' | 'wasm') => {
          setKernelBackend(be);
          const hh = Float64Array.from(h);
          const a = new Float64Array(n * n);
          const t = new Float64Array(n * n);
          const ok = sandwichKernel(hh, b, a, t, n);
          return { ok, hh, a, t };
        };
        const j = run('js');
        const w = run('wasm');
        return j.ok && w.ok && sameBits(j.hh, w.hh) && sameBits(j.a, w.a) && sameBits(j.t, w.t);
      }),
      { numRuns: 150 },
    );
  });

  it('auto uses the module from n = 16 on and gives what the JavaScript loops give (public linalg API, n = 40)', () => {
    const n = 40;
    const h = spd(n, 5);
    const b = spd(n, 6);
    setKernelBackend('js');
    const js = sandwichProduct(Float64Array.from(h), b, n)!;
    const ljs = Float64Array.from(h);
    choleskyInPlace(ljs, n);
    const ijs = choleskyInverse(ljs, n);
    setKernelBackend('auto');
    const au = sandwichProduct(Float64Array.from(h), b, n)!;
    const lau = Float64Array.from(h);
    choleskyInPlace(lau, n);
    expect(sameBits(js, au)).toBe(true);
    expect(sameBits(ljs, lau)).toBe(true);
    expect(sameBits(ijs, choleskyInverse(lau, n))).toBe(true);
  });
});
