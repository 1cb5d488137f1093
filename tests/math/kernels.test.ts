import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backwardSolveJs,
  btGradientJs,
  btGradientKernel,
  cholesky,
  choleskyJs,
  factorSolver,
  forwardSolveJs,
  inverseFromFactor,
  lowerInverseTJs,
  pairedDot,
  productNT,
  productNTJs,
  sandwichKernel,
  setKernelBackend,
  wasmKernels,
  WASM_MIN_N,
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

  it('factorSolver: the same bits in both implementations, and L·Lᵀ·x = b to rounding (sizes to 41)', () => {
    fc.assert(
      fc.property(sizes, seeds, (n, seed) => {
        const a = spd(n, seed);
        const l = Float64Array.from(a);
        if (!choleskyJs(l, n)) return false;
        const b = Float64Array.from(matrix(n, seed + 1).subarray(0, n));
        setKernelBackend('js');
        const xJs = Float64Array.from(b);
        factorSolver(l, n)(xJs);
        setKernelBackend('wasm');
        const solveW = factorSolver(l, n);
        const xW = Float64Array.from(b);
        solveW(xW);
        // a second call reads the resident factor again (the first call must not have changed it)
        const xW2 = Float64Array.from(b);
        solveW(xW2);
        if (!sameBits(xJs, xW) || !sameBits(xW, xW2)) return false;
        // the two substitutions one at a time, against the residual of A·x = b
        const y = Float64Array.from(b);
        forwardSolveJs(l, n, y);
        backwardSolveJs(l, n, y);
        if (!sameBits(y, xJs)) return false;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k]! * xJs[k]!;
          if (Math.abs(s - b[i]!) > 1e-10 * n) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('btGradientKernel: the same bits in both implementations, equal to the plain loop over pairs, and its entries sum to 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), seeds, fc.double({ min: 0.1, max: 1 }), (m, seed, density) => {
        const u = matrix(m + 3, seed, 0);
        let q = 0;
        const next = () => (u[q++ % u.length]! + 1) / 2;
        // pairs sorted by their lower model, some rows empty, some counts 0
        const pi: number[] = [];
        const pj: number[] = [];
        for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) if (next() < density) (pi.push(a), pj.push(b));
        const P = pi.length;
        const rows = new Int32Array(m + 1);
        for (const a of pi) rows[a + 1]!++;
        for (let a = 0; a < m; a++) rows[a + 1]! += rows[a]!;
        const j = Int32Array.from(pj);
        const n = Float64Array.from({ length: P }, () => Math.floor(next() * 20));
        const s = Float64Array.from(n, (x) => Math.floor(next() * (2 * x + 1)) / 2);
        const gamma = Float64Array.from({ length: m }, () => Math.exp(4 * next() - 2));
        const run = (backend: 'js' | 'wasm') => {
          setKernelBackend(backend);
          const k = btGradientKernel(rows, j, m);
          k.s.set(s);
          k.n.set(n);
          k.gamma.set(gamma);
          const g = new Float64Array(m).fill(7); // overwritten
          k.gradient(g);
          return g;
        };
        const gJs = run('js');
        const gW = run('wasm');
        const twin = new Float64Array(m);
        btGradientJs(rows, j, s, n, gamma, twin, m);
        if (!sameBits(gJs, gW) || !sameBits(gJs, twin)) return false;
        // an independent computation: Σ over pairs of (wins − expected wins) with p = 1/(1 + e^{θb − θa})
        const plain = new Float64Array(m);
        for (let k = 0; k < P; k++) {
          const a = pi[k]!;
          const b = pj[k]!;
          const r = s[k]! - n[k]! / (1 + Math.exp(Math.log(gamma[b]!) - Math.log(gamma[a]!)));
          plain[a]! += r;
          plain[b]! -= r;
        }
        let total = 0;
        let scale = 1;
        for (let v = 0; v < m; v++) {
          if (Math.abs(gW[v]! - plain[v]!) > 1e-9 * (1 + Math.abs(plain[v]!))) return false;
          total += gW[v]!;
          scale += Math.abs(gW[v]!);
        }
        return Math.abs(total) <= 1e-12 * scale;
      }),
      { numRuns: 200 },
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

describe('the whole pipeline without WebAssembly (node --jitless: the JavaScript kernels)', () => {
  it('rate prints the same bytes with and without WebAssembly (Bradley–Terry and Davidson, 60+ models)', () => {
    const bin = join(root, 'dist', 'cli', 'main.js');
    const file = join(root, 'fixtures', 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');
    for (const extra of [[], ['--ties', 'davidson']]) {
      const args = [bin, 'rate', file, '--format', 'json', ...extra];
      const wasm = spawnSync(process.execPath, args, { encoding: 'utf8' });
      const js = spawnSync(process.execPath, ['--jitless', ...args], { encoding: 'utf8' });
      expect(wasm.status).toBe(0);
      expect(js.status).toBe(0);
      expect(JSON.parse(wasm.stdout).models.length).toBeGreaterThan(WASM_MIN_N);
      expect(js.stdout).toBe(wasm.stdout);
    }
  });
});
