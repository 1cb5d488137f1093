import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

/**
 * The dense kernels behind `./linalg.ts`, in two implementations that give bit-identical results: WebAssembly with
 * 128-bit SIMD (`./kernels.wat`, about 4–5× faster than the JavaScript loops in V8) and plain JavaScript (used when
 * WebAssembly is unavailable — e.g. `node --jitless` — or the matrices are small or beyond 2 GiB). Both follow the same summation
 * order, step by step: a dot product Σ_{k=k0}^{k1−1} x_k·y_k is accumulated in two lanes (lane 0 over k0, k0+2, …,
 * lane 1 over k0+1, k0+3, …, while two terms remain), then lane 0 + lane 1, then the last term when the count is odd;
 * no fused multiply-add. So results never depend on which implementation ran (or on the number of worker threads,
 * each with its own instance). Matrices are n×n, row-major Float64Array.
 */

/** Which implementation runs the kernels: `auto` (WebAssembly from {@link WASM_MIN_N} on, when available), or one forced. */
export type KernelBackend = 'auto' | 'js' | 'wasm';

/** Smallest n for which `auto` uses WebAssembly (below it, copying in and out costs more than the loops save). */
export const WASM_MIN_N = 16;

let backend: KernelBackend = 'auto';

/** Forces a backend (benches and tests compare the two); returns the previous one. `wasm` throws where it is unavailable. */
export function setKernelBackend(b: KernelBackend): KernelBackend {
  const old = backend;
  if (b === 'wasm' && !wasmKernels()) throw new Error('WebAssembly kernels are not available in this runtime');
  backend = b;
  return old;
}

/** The parts of the WebAssembly API the kernels use (the project's TypeScript lib has no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface WasmExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  productNT(x: number, y: number, out: number, n: number, sym: number, upperY: number): void;
  cholesky(a: number, n: number): number;
  lowerInverseT(l: number, wt: number, n: number): void;
  forwardSolve(l: number, n: number, x: number): void;
  backwardSolve(l: number, n: number, y: number): void;
  btGradient(rows: number, j: number, s: number, n: number, gamma: number, g: number, m: number): void;
}

let wasm: WasmExports | null | undefined;
let wasmModule: { api: WasmApi; module: object } | null | undefined;

/** The compiled module (once per thread), or null when WebAssembly or its SIMD is not available. */
function compiledKernels(): { api: WasmApi; module: object } | null {
  if (wasmModule !== undefined) return wasmModule;
  try {
    const text = globalThis.atob(KERNELS_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    wasmModule = api ? { api, module: new api.Module(bytes) } : null;
  } catch {
    wasmModule = null;
  }
  return wasmModule;
}

/** A new instance of the module, with a memory of its own (null when WebAssembly is not available). */
function newInstance(): WasmExports | null {
  const c = compiledKernels();
  if (!c) return null;
  try {
    return new c.api.Instance(c.module, {}).exports as unknown as WasmExports;
  } catch {
    return null;
  }
}

/** Grows an instance's memory to at least `bytes`; false when it cannot (or `bytes` passes {@link WASM_MAX_BYTES}). */
function holds(w: { readonly memory: WasmExports['memory'] }, bytes: number): boolean {
  if (bytes > WASM_MAX_BYTES) return false;
  const have = w.memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    w.memory.grow(Math.ceil((bytes - have) / 65536));
    return true;
  } catch {
    return false;
  }
}

/**
 * A new instance of the module whose memory holds at least `bytes` (for data kept there across calls), or null when
 * WebAssembly is unavailable, the size passes {@link WASM_MAX_BYTES}, or the memory cannot grow.
 */
function ownInstance(bytes: number): WasmExports | null {
  if (bytes > WASM_MAX_BYTES) return null;
  const w = newInstance();
  return w && holds(w, bytes) ? w : null;
}

/** The shared instance of the module (once per thread), or null when WebAssembly or its SIMD is not available. */
export function wasmKernels(): WasmExports | null {
  if (wasm === undefined) wasm = newInstance();
  return wasm;
}

/** The kernels module's sparse exports (`adjProduct8`, `blockUpdate8`, `blockDirection8` of kernels.wat) and its memory. */
export interface SparseWasm {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  /** Byte addresses of the operands; see kernels.wat. */
  adjProduct8(m: number, d: number, c: number, start: number, nbr: number, w: number, p: number, q: number, ct: number, pq: number): void;
  blockUpdate8(m: number, d: number, alpha: number, x: number, p: number, q: number, r: number, z: number, rr: number, next: number): void;
  blockDirection8(m: number, c: number, beta: number, z: number, p: number, ct: number): void;
}

let sparse: SparseWasm | null | undefined;

/**
 * A second instance of the kernels module for the sparse solver (`../math/sparse.ts` block conjugate gradients),
 * with its own memory grown to at least `bytes` (so it never disturbs the dense kernels' matrices), once per thread;
 * null when WebAssembly is unavailable, the backend is forced to `js`, or `bytes` passes 2 GiB.
 */
export function sparseWasm(bytes: number): SparseWasm | null {
  if (backend === 'js' || bytes > WASM_MAX_BYTES) return null;
  if (sparse === undefined) sparse = newInstance() as unknown as SparseWasm | null;
  return sparse && holds(sparse, bytes) ? sparse : null;
}

/** Largest linear memory the kernels ask for (bytes); above it the JavaScript loops run instead. */
const WASM_MAX_BYTES = 2 ** 31;

/**
 * The module when it should run for `matrices` n×n matrices, with its memory grown to hold them; else null.
 */
function wasmFor(n: number, matrices: number): WasmExports | null {
  if (backend === 'js' || (backend === 'auto' && n < WASM_MIN_N)) return null;
  const w = wasmKernels();
  if (!w) return null;
  const need = matrices * n * n * 8;
  if (need > WASM_MAX_BYTES) {
    if (backend === 'wasm') throw new RangeError(`WebAssembly kernels: ${matrices} matrices of ${n}×${n} exceed 2 GiB`);
    return null;
  }
  const have = w.memory.buffer.byteLength;
  if (need > have) {
    try {
      w.memory.grow(Math.ceil((need - have) / 65536));
    } catch {
      if (backend === 'wasm') throw new RangeError(`WebAssembly kernels: cannot grow memory to ${need} bytes`);
      return null;
    }
  }
  return w;
}

/** A view of matrix slot `slot` (n×n) of the module's memory (valid until the memory grows). */
const slotView = (w: WasmExports, slot: number, n: number) => new Float64Array(w.memory.buffer, slot * n * n * 8, n * n);

/**
 * out = X·Yᵀ (see `productNT` in kernels.wat): 2×2 blocks; `symmetric`: blocks on or above the diagonal, mirrored;
 * `upperY`: rows of Y are zero before their diagonal, so block (i, j) sums from k = j. `out` may not alias x or y.
 */
export function productNT(x: Float64Array, y: Float64Array, out: Float64Array, n: number, symmetric: boolean, upperY: boolean): void {
  const w = wasmFor(n, 3);
  if (w) {
    slotView(w, 0, n).set(x);
    slotView(w, 1, n).set(y);
    w.productNT(0, n * n * 8, 2 * n * n * 8, n, symmetric ? 1 : 0, upperY ? 1 : 0);
    out.set(slotView(w, 2, n));
    return;
  }
  productNTJs(x, y, out, n, symmetric, upperY);
}

/**
 * Repeated solves with one Cholesky factor (the lower triangle of `l`, n×n): the returned function overwrites b with
 * (L·Lᵀ)⁻¹·b — a forward then a backward substitution, O(n²) each call. With WebAssembly the factor is copied once
 * into an instance of its own (n² doubles), which every call then reads in place; the JavaScript twins
 * ({@link forwardSolveJs}, {@link backwardSolveJs}) give the same bits. `l` must not change afterwards.
 */
export function factorSolver(l: Float64Array, n: number): (b: Float64Array) => void {
  if (backend !== 'js' && !(backend === 'auto' && n < WASM_MIN_N)) {
    const w = ownInstance((n + 1) * n * 8);
    if (w) {
      new Float64Array(w.memory.buffer, 0, n * n).set(l);
      const at = n * n * 8;
      const v = new Float64Array(w.memory.buffer, at, n);
      return (b) => {
        v.set(b);
        w.forwardSolve(0, n, at);
        w.backwardSolve(0, n, at);
        b.set(v);
      };
    }
    if (backend === 'wasm') throw new RangeError(`WebAssembly kernels: cannot hold a factor of ${n}×${n}`);
  }
  return (b) => {
    forwardSolveJs(l, n, b, 0);
    backwardSolveJs(l, n, b);
  };
}

/**
 * Solves L·y = x in place (x at `x[at…at+n−1]`), L the lower triangle of `l` (n×n row-major): `forwardSolve` of
 * kernels.wat, lane by lane (row i's dot product with y in the two-lane order). O(n²).
 */
export function forwardSolveJs(l: Float64Array, n: number, x: Float64Array, at = 0): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let e = 0;
    let o = 0;
    let k = 0;
    for (; k + 1 < i; k += 2) {
      e += l[ri + k]! * x[at + k]!;
      o += l[ri + k + 1]! * x[at + k + 1]!;
    }
    let s = e + o;
    if (k < i) s += l[ri + k]! * x[at + k]!;
    x[at + i] = (x[at + i]! - s) / l[ri + i]!;
  }
}

/**
 * Solves Lᵀ·z = y in place, L the lower triangle of `l` (n×n row-major): `backwardSolve` of kernels.wat — once zᵢ
 * is known, row i of L (contiguous) times zᵢ is subtracted from the unknowns before it, so the matrix is never read
 * with stride n. O(n²).
 */
export function backwardSolveJs(l: Float64Array, n: number, y: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const z = y[i]! / l[ri + i]!;
    y[i] = z;
    for (let k = 0; k < i; k++) y[k] = y[k]! - l[ri + k]! * z;
  }
}

/**
 * The Bradley–Terry score gradient over fixed pairs, for repeated calls with new scores, counts and strengths (the
 * chord refits of bootstrap rounds). The caller writes the per-pair scores `s` and counts `n` and the strengths
 * `gamma` (γ = e^θ) into the arrays given here — under WebAssembly views of the kernel's own memory, so no copy is
 * made — then {@link BtGradientKernel.gradient} writes g_v = Σ_{pairs of v} ±(s − n·γ_a/(γ_a + γ_b)).
 */
export interface BtGradientKernel {
  /** Per pair: the lower model's score (wins + ½·ties). */
  readonly s: Float64Array;
  /** Per pair: the number of battles. */
  readonly n: Float64Array;
  /** Per model: γ = e^θ. */
  readonly gamma: Float64Array;
  /** Writes the gradient into `g` (length m; overwritten). O(pairs + m). */
  gradient(g: Float64Array): void;
}

/**
 * A {@link BtGradientKernel} for pairs sorted by their lower model: model a's pairs are k ∈ [rows[a], rows[a+1]),
 * its opponents `j[k]` (m + 1 row offsets, then one opponent a pair). `btGradient` of kernels.wat (two pairs at a
 * time, the division in f64x2) or its JavaScript twin {@link btGradientJs}: the same bits.
 */
export function btGradientKernel(rows: Int32Array, j: Int32Array, m: number): BtGradientKernel {
  const P = j.length;
  if (backend !== 'js') {
    const at = { rows: 0, j: 4 * (m + 1), s: 0, n: 0, gamma: 0, g: 0 };
    at.s = (at.j + 4 * P + 7) & ~7;
    at.n = at.s + 8 * P;
    at.gamma = at.n + 8 * P;
    at.g = at.gamma + 8 * m;
    const w = ownInstance(at.g + 8 * m);
    if (w) {
      const buf = w.memory.buffer;
      new Int32Array(buf, at.rows, m + 1).set(rows);
      new Int32Array(buf, at.j, P).set(j);
      const s = new Float64Array(buf, at.s, P);
      const n = new Float64Array(buf, at.n, P);
      const gamma = new Float64Array(buf, at.gamma, m);
      const gv = new Float64Array(buf, at.g, m);
      return {
        s,
        n,
        gamma,
        gradient(g) {
          gv.fill(0);
          w.btGradient(at.rows, at.j, at.s, at.n, at.gamma, at.g, m);
          g.set(gv);
        },
      };
    }
    if (backend === 'wasm') throw new RangeError(`WebAssembly kernels: cannot hold ${P} pairs`);
  }
  const s = new Float64Array(P);
  const n = new Float64Array(P);
  const gamma = new Float64Array(m);
  return { s, n, gamma, gradient: (g) => btGradientJs(rows, j, s, n, gamma, g, m) };
}

/** JavaScript `btGradient` of kernels.wat, lane by lane (see {@link btGradientKernel}); `g` is overwritten. O(pairs + m). */
export function btGradientJs(rows: Int32Array, j: Int32Array, s: Float64Array, n: Float64Array, gamma: Float64Array, g: Float64Array, m: number): void {
  g.fill(0);
  for (let a = 0; a < m; a++) {
    const ga = gamma[a]!;
    const end = rows[a + 1]!;
    let e = 0;
    let o = 0;
    let k = rows[a]!;
    for (; k + 1 < end; k += 2) {
      const b0 = j[k]!;
      const b1 = j[k + 1]!;
      const r0 = s[k]! - (n[k]! * ga) / (ga + gamma[b0]!);
      const r1 = s[k + 1]! - (n[k + 1]! * ga) / (ga + gamma[b1]!);
      e += r0;
      o += r1;
      g[b0] = g[b0]! - r0;
      g[b1] = g[b1]! - r1;
    }
    let sum = e + o;
    if (k < end) {
      const b = j[k]!;
      const r = s[k]! - (n[k]! * ga) / (ga + gamma[b]!);
      sum += r;
      g[b] = g[b]! - r;
    }
    g[a] = g[a]! + sum;
  }
}

/** Cholesky factorisation in place (lower triangle ← L); false when a pivot is not positive (see kernels.wat). */
export function cholesky(a: Float64Array, n: number): boolean {
  const w = wasmFor(n, 1);
  if (w) {
    const v = slotView(w, 0, n);
    v.set(a);
    const ok = w.cholesky(0, n) === 1;
    a.set(slotView(w, 0, n));
    return ok;
  }
  return choleskyJs(a, n);
}

/** A⁻¹ = Wᵀ·W, W = L⁻¹, from the Cholesky factor in the lower triangle of `l`: a new symmetric n×n matrix. */
export function inverseFromFactor(l: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  const w = wasmFor(n, 3);
  if (w) {
    slotView(w, 0, n).set(l);
    slotView(w, 1, n).fill(0);
    w.lowerInverseT(0, n * n * 8, n);
    w.productNT(n * n * 8, n * n * 8, 2 * n * n * 8, n, 1, 1);
    out.set(slotView(w, 2, n));
    return out;
  }
  const wt = new Float64Array(n * n);
  lowerInverseTJs(l, wt, n);
  productNTJs(wt, wt, out, n, true, true);
  return out;
}

/**
 * The sandwich's factors in one pass over the module's memory: H factored in place (false: not positive definite),
 * A = H⁻¹ and T = A·B written to `a` and `t`.
 */
export function sandwichKernel(h: Float64Array, b: Float64Array, a: Float64Array, t: Float64Array, n: number): boolean {
  const w = wasmFor(n, 5);
  if (w) {
    const bytes = n * n * 8;
    slotView(w, 0, n).set(h);
    if (w.cholesky(0, n) !== 1) {
      h.set(slotView(w, 0, n));
      return false;
    }
    slotView(w, 1, n).fill(0);
    w.lowerInverseT(0, bytes, n);
    w.productNT(bytes, bytes, 2 * bytes, n, 1, 1);
    slotView(w, 3, n).set(b);
    w.productNT(2 * bytes, 3 * bytes, 4 * bytes, n, 0, 0);
    h.set(slotView(w, 0, n));
    a.set(slotView(w, 2, n));
    t.set(slotView(w, 4, n));
    return true;
  }
  if (!choleskyJs(h, n)) return false;
  const wt = new Float64Array(n * n);
  lowerInverseTJs(h, wt, n);
  productNTJs(wt, wt, a, n, true, true);
  productNTJs(a, b, t, n, false, false);
  return true;
}

/**
 * Σ_{k=0}^{n−1} x[xo + k]·y[yo + k] in the kernels' summation order (two lanes, then the odd last term): equal bit for
 * bit to an entry of {@link productNT} without `upperY`. O(n).
 */
export function pairedDot(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let e = 0;
  let o = 0;
  let k = 0;
  for (; k + 1 < n; k += 2) {
    e += x[xo + k]! * y[yo + k]!;
    o += x[xo + k + 1]! * y[yo + k + 1]!;
  }
  let s = e + o;
  if (k < n) s += x[xo + k]! * y[yo + k]!;
  return s;
}

/** JavaScript {@link productNT}: the loops of kernels.wat, lane by lane. */
export function productNTJs(x: Float64Array, y: Float64Array, out: Float64Array, n: number, symmetric: boolean, upperY: boolean): void {
  for (let i = 0; i < n; i += 2) {
    const r0 = i * n;
    const two = i + 1 < n;
    const r1 = two ? r0 + n : r0;
    for (let j = symmetric ? i : 0; j < n; j += 2) {
      const c0 = j * n;
      const twoJ = j + 1 < n;
      const c1 = twoJ ? c0 + n : c0;
      let e00 = 0;
      let o00 = 0;
      let e01 = 0;
      let o01 = 0;
      let e10 = 0;
      let o10 = 0;
      let e11 = 0;
      let o11 = 0;
      let k = upperY ? j : 0;
      for (; k + 1 < n; k += 2) {
        const x0 = x[r0 + k]!;
        const x1 = x[r1 + k]!;
        const y0 = y[c0 + k]!;
        const y1 = y[c1 + k]!;
        const x0b = x[r0 + k + 1]!;
        const x1b = x[r1 + k + 1]!;
        const y0b = y[c0 + k + 1]!;
        const y1b = y[c1 + k + 1]!;
        e00 += x0 * y0;
        o00 += x0b * y0b;
        e01 += x0 * y1;
        o01 += x0b * y1b;
        e10 += x1 * y0;
        o10 += x1b * y0b;
        e11 += x1 * y1;
        o11 += x1b * y1b;
      }
      let s00 = e00 + o00;
      let s01 = e01 + o01;
      let s10 = e10 + o10;
      let s11 = e11 + o11;
      if (k < n) {
        const p = x[r0 + k]!;
        const q = x[r1 + k]!;
        const u = y[c0 + k]!;
        const v = y[c1 + k]!;
        s00 += p * u;
        s01 += p * v;
        s10 += q * u;
        s11 += q * v;
      }
      out[r0 + j] = s00;
      if (twoJ) out[r0 + j + 1] = s01;
      if (two) {
        out[r1 + j] = s10;
        if (twoJ) out[r1 + j + 1] = s11;
      }
    }
  }
  if (symmetric) {
    for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i]!;
  }
}

/** JavaScript {@link cholesky}: the loops of kernels.wat, lane by lane (rows four at a time, then one at a time). */
export function choleskyJs(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const d = a[rj + j]! - pairedDot(a, rj, a, rj, j);
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[rj + j] = l;
    let i = j + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let e0 = 0;
      let o0 = 0;
      let e1 = 0;
      let o1 = 0;
      let e2 = 0;
      let o2 = 0;
      let e3 = 0;
      let o3 = 0;
      let k = 0;
      for (; k + 1 < j; k += 2) {
        const y = a[rj + k]!;
        const yb = a[rj + k + 1]!;
        e0 += a[r0 + k]! * y;
        o0 += a[r0 + k + 1]! * yb;
        e1 += a[r1 + k]! * y;
        o1 += a[r1 + k + 1]! * yb;
        e2 += a[r2 + k]! * y;
        o2 += a[r2 + k + 1]! * yb;
        e3 += a[r3 + k]! * y;
        o3 += a[r3 + k + 1]! * yb;
      }
      let s0 = e0 + o0;
      let s1 = e1 + o1;
      let s2 = e2 + o2;
      let s3 = e3 + o3;
      if (k < j) {
        const y = a[rj + k]!;
        s0 += a[r0 + k]! * y;
        s1 += a[r1 + k]! * y;
        s2 += a[r2 + k]! * y;
        s3 += a[r3 + k]! * y;
      }
      a[r0 + j] = (a[r0 + j]! - s0) / l;
      a[r1 + j] = (a[r1 + j]! - s1) / l;
      a[r2 + j] = (a[r2 + j]! - s2) / l;
      a[r3 + j] = (a[r3 + j]! - s3) / l;
    }
    for (; i < n; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j]! - pairedDot(a, ri, a, rj, j)) / l;
    }
  }
  return true;
}

/** JavaScript `lowerInverseT` of kernels.wat (wt must be zero on entry): rows j, j+1 of Wᵀ two at a time. */
export function lowerInverseTJs(l: Float64Array, wt: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const inv = 1 / l[ri + i]!;
    wt[ri + i] = inv;
    let j = 0;
    for (; j + 1 < i; j += 2) {
      const c0 = j * n;
      const c1 = c0 + n;
      let e0 = 0;
      let o0 = 0;
      let e1 = 0;
      let o1 = 0;
      let k = j;
      for (; k + 1 < i; k += 2) {
        const x = l[ri + k]!;
        const xb = l[ri + k + 1]!;
        e0 += x * wt[c0 + k]!;
        o0 += xb * wt[c0 + k + 1]!;
        e1 += x * wt[c1 + k]!;
        o1 += xb * wt[c1 + k + 1]!;
      }
      let s0 = e0 + o0;
      let s1 = e1 + o1;
      if (k < i) {
        const x = l[ri + k]!;
        s0 += x * wt[c0 + k]!;
        s1 += x * wt[c1 + k]!;
      }
      wt[c0 + i] = -s0 * inv;
      wt[c1 + i] = -s1 * inv;
    }
    if (j < i) {
      const c0 = j * n;
      const s0 = 0 + l[ri + j]! * wt[c0 + j]!;
      wt[c0 + i] = -s0 * inv;
    }
  }
}
