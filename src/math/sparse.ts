/**
 * Sparse solves with the Bradley–Terry information matrix: a weighted graph Laplacian L (one edge per pair cell,
 * weight w ≥ 0) plus a ridge λI plus c·11ᵀ (the centring term the dense path adds), solved by conjugate gradients
 * with the Jacobi (diagonal) preconditioner. Never forms an m×m matrix: O(edges) memory, O(edges) per iteration.
 */
import { sparseWasm } from './kernels.js';

/**
 * The matrix A = L(w) + λI + c·11ᵀ of a weighted graph on m vertices, given by its edge list. The edge arrays are
 * shared with the caller's cells (not copied); `w` is owned by the system and may be refilled between solves
 * ({@link refreshLaplacian}).
 */
export interface LaplacianSystem {
  readonly m: number;
  /** Edge endpoints (i ≠ j). */
  readonly i: Int32Array;
  readonly j: Int32Array;
  /** Edge weights (≥ 0). */
  readonly w: Float64Array;
  /** Ridge λ on the diagonal. */
  shift: number;
  /** Coefficient c of the rank-one term c·11ᵀ. */
  c: number;
  /** The diagonal of A: Σ of incident weights + λ + c (the Jacobi preconditioner). */
  readonly diag: Float64Array;
}

/**
 * A {@link LaplacianSystem} over the given edges with weights `w` (copied), ridge λ and c = trace(L + λI)/m², the
 * value {@link centredInformation}'s dense matrix uses, so both paths solve the same system. O(edges + m).
 */
export function laplacianSystem(m: number, i: Int32Array, j: Int32Array, w: ArrayLike<number>, shift: number): LaplacianSystem {
  const sys: LaplacianSystem = { m, i, j, w: Float64Array.from(w), shift, c: 0, diag: new Float64Array(m) };
  refreshLaplacian(sys, shift);
  return sys;
}

/**
 * Recomputes the diagonal and c of a system after its weights `w` changed (in place): diag_v = Σ incident w + λ,
 * c = Σ diag / m² (1 when the trace is 0, as the dense path), then diag_v += c. O(edges + m).
 */
export function refreshLaplacian(sys: LaplacianSystem, shift: number): void {
  const { m, i, j, w, diag } = sys;
  sys.shift = shift;
  diag.fill(shift);
  for (let k = 0; k < w.length; k++) {
    diag[i[k]!]! += w[k]!;
    diag[j[k]!]! += w[k]!;
  }
  let trace = 0;
  for (let v = 0; v < m; v++) trace += diag[v]!;
  sys.c = trace > 0 ? trace / (m * m) : 1;
  for (let v = 0; v < m; v++) diag[v]! += sys.c;
}

/** y = A·x for a {@link LaplacianSystem} (y overwritten). O(edges + m). */
export function laplacianProduct(sys: LaplacianSystem, x: ArrayLike<number>, y: Float64Array): void {
  const { m, i, j, w, diag, c } = sys;
  let total = 0;
  for (let v = 0; v < m; v++) total += x[v]!;
  // diag already holds Σw + λ + c; the off-diagonal part of c·11ᵀ is c·(Σx − x_v)
  const ct = c * total;
  for (let v = 0; v < m; v++) y[v] = diag[v]! * x[v]! + ct - c * x[v]!;
  for (let k = 0; k < w.length; k++) {
    const a = i[k]!;
    const b = j[k]!;
    const wk = w[k]!;
    y[a]! -= wk * x[b]!;
    y[b]! -= wk * x[a]!;
  }
}

/** Outcome of {@link conjugateGradient}. */
export interface CgResult {
  /** Iterations made (matrix products). */
  readonly iterations: number;
  /** Whether ‖b − A·x‖₂ ≤ tolerance·‖b‖₂ was reached. */
  readonly converged: boolean;
}

/** Work arrays of {@link conjugateGradient} for systems of size m (reuse them across solves). */
export interface CgWork {
  readonly r: Float64Array;
  readonly z: Float64Array;
  readonly p: Float64Array;
  readonly q: Float64Array;
}

/** Fresh {@link CgWork} for size m. */
export function cgWork(m: number): CgWork {
  return { r: new Float64Array(m), z: new Float64Array(m), p: new Float64Array(m), q: new Float64Array(m) };
}

/** ‖b‖² below which {@link conjugateGradient} solves for b/‖b‖ instead (its squares would underflow). */
const TINY_RHS = 1e-200;

/**
 * Solves A·x = b by conjugate gradients with the Jacobi preconditioner (Hestenes & Stiefel 1952; Saad 2003,
 * "Iterative Methods for Sparse Linear Systems", Alg. 9.1), A symmetric positive definite. `x` holds the start
 * on entry (a warm start; zeros for none) and the solution on return. Stops when the residual's 2-norm is at most
 * `tolerance`·‖b‖₂, or after `maxIterations`. Deterministic: a fixed order of every sum, so the same bits on
 * every thread. O(iterations · (edges + m)); the number of iterations grows with √κ of the preconditioned matrix
 * (small on well-mixed comparison graphs, large on long chains such as a ladder of neighbours by rating).
 */
export function conjugateGradient(sys: LaplacianSystem, b: ArrayLike<number>, x: Float64Array, tolerance: number, maxIterations: number, work: CgWork = cgWork(sys.m)): CgResult {
  const m = sys.m;
  const { r, z, p, q } = work;
  const d = sys.diag;
  let bb = 0;
  for (let v = 0; v < m; v++) bb += b[v]! * b[v]!;
  if (bb === 0) {
    x.fill(0);
    return { iterations: 0, converged: true };
  }
  if (bb < TINY_RHS) {
    // a right-hand side near the smallest doubles: its squares (and p·Ap) underflow, so solve for b/‖b‖ and scale
    // back (every other right-hand side keeps the arithmetic below, bit for bit)
    const f = Math.sqrt(bb);
    const scaled = Float64Array.from({ length: m }, (_, v) => b[v]! / f);
    for (let v = 0; v < m; v++) x[v] = x[v]! / f;
    const res = conjugateGradient(sys, scaled, x, tolerance, maxIterations, work);
    for (let v = 0; v < m; v++) x[v] = x[v]! * f;
    return res;
  }
  const goal = tolerance * tolerance * bb;
  laplacianProduct(sys, x, q);
  let rr = 0;
  let rz = 0;
  for (let v = 0; v < m; v++) {
    const rv = b[v]! - q[v]!;
    r[v] = rv;
    rr += rv * rv;
    const zv = rv / d[v]!;
    z[v] = zv;
    p[v] = zv;
    rz += rv * zv;
  }
  let it = 0;
  while (rr > goal && it < maxIterations) {
    laplacianProduct(sys, p, q);
    let pq = 0;
    for (let v = 0; v < m; v++) pq += p[v]! * q[v]!;
    if (!(pq > 0)) break; // not positive definite (or a breakdown): give up unconverged
    const alpha = rz / pq;
    rr = 0;
    let next = 0;
    for (let v = 0; v < m; v++) {
      x[v]! += alpha * p[v]!;
      const rv = r[v]! - alpha * q[v]!;
      r[v] = rv;
      rr += rv * rv;
      const zv = rv / d[v]!;
      z[v] = zv;
      next += rv * zv;
    }
    const beta = next / rz;
    rz = next;
    for (let v = 0; v < m; v++) p[v] = z[v]! + beta * p[v]!;
    it++;
  }
  return { iterations: it, converged: rr <= goal };
}

/**
 * A {@link LaplacianSystem}'s edges as adjacency lists (compressed rows): the neighbours of vertex u are
 * `nbr[start[u] … start[u+1])`, with the position `edge` of each in the system's edge arrays (for its weight), in
 * edge order. Depends only on the edge endpoints, so it is built once per system and kept.
 */
interface Adjacency {
  readonly start: Int32Array;
  readonly nbr: Int32Array;
  readonly edge: Int32Array;
  /** Weights per entry (w[edge]), gathered from the system by {@link unitSolves} before it iterates. */
  readonly w: Float64Array;
}

const adjacencies = new WeakMap<LaplacianSystem, Adjacency>();

/** The {@link Adjacency} of a system (built on first use, O(edges + m), then kept with the system). */
function adjacencyOf(sys: LaplacianSystem): Adjacency {
  const hit = adjacencies.get(sys);
  if (hit) return hit;
  const { m, i, j } = sys;
  const n = i.length;
  const start = new Int32Array(m + 1);
  for (let e = 0; e < n; e++) {
    start[i[e]! + 1]!++;
    start[j[e]! + 1]!++;
  }
  for (let u = 0; u < m; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, m);
  const nbr = new Int32Array(2 * n);
  const edge = new Int32Array(2 * n);
  for (let e = 0; e < n; e++) {
    const a = i[e]!;
    const b = j[e]!;
    nbr[fill[a]!] = b;
    edge[fill[a]!++] = e;
    nbr[fill[b]!] = a;
    edge[fill[b]!++] = e;
  }
  const adj = { start, nbr, edge, w: new Float64Array(2 * n) };
  adjacencies.set(sys, adj);
  return adj;
}

/**
 * q = A·p for `k` vectors held row-major m×k (element u of vector s at u·k + s), row by row: q_u = d_u·p_u + c·Σp −
 * c·p_u (`ct[s]` = c·Σ_u p_u of vector s), then minus w·p_n for each neighbour n in adjacency order — one read of each
 * neighbour's row of k values and one write of q_u's row per vertex, with k = 8 unrolled (accumulators in
 * registers) — and pq[s] = Σ_u p_u·q_u in vertex order. Each vector's arithmetic is the same operations in the same
 * order as {@link laplacianProduct} (its edges reach each vertex in edge order, as the adjacency lists hold them)
 * whatever k and the other vectors. O(k·(edges + m)).
 */
function blockProduct(sys: LaplacianSystem, adj: Adjacency, p: Float64Array, q: Float64Array, k: number, ct: Float64Array, pq: Float64Array): void {
  const { m, diag: d, c } = sys;
  if (k === 8) {
    product8(m, d, c, adj.start, adj.nbr, adj.w, p, q, ct, pq);
    return;
  }
  const { start, nbr, w } = adj;
  pq.fill(0);
  for (let u = 0; u < m; u++) {
    const du = d[u]!;
    const o = u * k;
    for (let s = 0; s < k; s++) q[o + s] = du * p[o + s]! + ct[s]! - c * p[o + s]!;
    const end = start[u + 1]!;
    for (let e = start[u]!; e < end; e++) {
      const n = nbr[e]! * k;
      const we = w[e]!;
      for (let s = 0; s < k; s++) q[o + s]! -= we * p[n + s]!;
    }
    for (let s = 0; s < k; s++) pq[s]! += p[o + s]! * q[o + s]!;
  }
}

/** {@link blockProduct} for k = 8, unrolled. */
function product8(m: number, d: Float64Array, c: number, start: Int32Array, nbr: Int32Array, w: Float64Array, p: Float64Array, q: Float64Array, ct: Float64Array, pq: Float64Array): void {
  const t0 = ct[0]!, t1 = ct[1]!, t2 = ct[2]!, t3 = ct[3]!, t4 = ct[4]!, t5 = ct[5]!, t6 = ct[6]!, t7 = ct[7]!;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  for (let u = 0; u < m; u++) {
    const o = u * 8;
    const du = d[u]!;
    const p0 = p[o]!, p1 = p[o + 1]!, p2 = p[o + 2]!, p3 = p[o + 3]!, p4 = p[o + 4]!, p5 = p[o + 5]!, p6 = p[o + 6]!, p7 = p[o + 7]!;
    let q0 = du * p0 + t0 - c * p0;
    let q1 = du * p1 + t1 - c * p1;
    let q2 = du * p2 + t2 - c * p2;
    let q3 = du * p3 + t3 - c * p3;
    let q4 = du * p4 + t4 - c * p4;
    let q5 = du * p5 + t5 - c * p5;
    let q6 = du * p6 + t6 - c * p6;
    let q7 = du * p7 + t7 - c * p7;
    const end = start[u + 1]!;
    for (let e = start[u]!; e < end; e++) {
      const n = nbr[e]! * 8;
      const we = w[e]!;
      q0 -= we * p[n]!;
      q1 -= we * p[n + 1]!;
      q2 -= we * p[n + 2]!;
      q3 -= we * p[n + 3]!;
      q4 -= we * p[n + 4]!;
      q5 -= we * p[n + 5]!;
      q6 -= we * p[n + 6]!;
      q7 -= we * p[n + 7]!;
    }
    q[o] = q0;
    q[o + 1] = q1;
    q[o + 2] = q2;
    q[o + 3] = q3;
    q[o + 4] = q4;
    q[o + 5] = q5;
    q[o + 6] = q6;
    q[o + 7] = q7;
    s0 += p0 * q0;
    s1 += p1 * q1;
    s2 += p2 * q2;
    s3 += p3 * q3;
    s4 += p4 * q4;
    s5 += p5 * q5;
    s6 += p6 * q6;
    s7 += p7 * q7;
  }
  pq[0] = s0;
  pq[1] = s1;
  pq[2] = s2;
  pq[3] = s3;
  pq[4] = s4;
  pq[5] = s5;
  pq[6] = s6;
  pq[7] = s7;
}

/**
 * One CG update of k systems held row-major m×k (Jacobi preconditioner d): x += α·p, r −= α·q, z = r/d, with
 * rr[s] = Σ r² and next[s] = Σ r·z in vertex order — conjugateGradient's loop per vector. k = 8 unrolled. O(k·m).
 */
function blockUpdate(m: number, k: number, d: Float64Array, alpha: Float64Array, x: Float64Array, p: Float64Array, q: Float64Array, r: Float64Array, z: Float64Array, rr: Float64Array, next: Float64Array): void {
  if (k !== 8) {
    rr.fill(0);
    next.fill(0);
    for (let u = 0; u < m; u++) {
      const du = d[u]!;
      for (let s = 0, o = u * k; s < k; s++, o++) {
        const al = alpha[s]!;
        x[o]! += al * p[o]!;
        const rv = r[o]! - al * q[o]!;
        r[o] = rv;
        rr[s]! += rv * rv;
        const zv = rv / du;
        z[o] = zv;
        next[s]! += rv * zv;
      }
    }
    return;
  }
  const a0 = alpha[0]!, a1 = alpha[1]!, a2 = alpha[2]!, a3 = alpha[3]!, a4 = alpha[4]!, a5 = alpha[5]!, a6 = alpha[6]!, a7 = alpha[7]!;
  let r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
  let n0 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0, n6 = 0, n7 = 0;
  for (let u = 0; u < m; u++) {
    const du = d[u]!;
    const o = u * 8;
    let rv: number;
    let zv: number;
    x[o]! += a0 * p[o]!;
    rv = r[o]! - a0 * q[o]!;
    r[o] = rv;
    r0 += rv * rv;
    zv = rv / du;
    z[o] = zv;
    n0 += rv * zv;
    x[o + 1]! += a1 * p[o + 1]!;
    rv = r[o + 1]! - a1 * q[o + 1]!;
    r[o + 1] = rv;
    r1 += rv * rv;
    zv = rv / du;
    z[o + 1] = zv;
    n1 += rv * zv;
    x[o + 2]! += a2 * p[o + 2]!;
    rv = r[o + 2]! - a2 * q[o + 2]!;
    r[o + 2] = rv;
    r2 += rv * rv;
    zv = rv / du;
    z[o + 2] = zv;
    n2 += rv * zv;
    x[o + 3]! += a3 * p[o + 3]!;
    rv = r[o + 3]! - a3 * q[o + 3]!;
    r[o + 3] = rv;
    r3 += rv * rv;
    zv = rv / du;
    z[o + 3] = zv;
    n3 += rv * zv;
    x[o + 4]! += a4 * p[o + 4]!;
    rv = r[o + 4]! - a4 * q[o + 4]!;
    r[o + 4] = rv;
    r4 += rv * rv;
    zv = rv / du;
    z[o + 4] = zv;
    n4 += rv * zv;
    x[o + 5]! += a5 * p[o + 5]!;
    rv = r[o + 5]! - a5 * q[o + 5]!;
    r[o + 5] = rv;
    r5 += rv * rv;
    zv = rv / du;
    z[o + 5] = zv;
    n5 += rv * zv;
    x[o + 6]! += a6 * p[o + 6]!;
    rv = r[o + 6]! - a6 * q[o + 6]!;
    r[o + 6] = rv;
    r6 += rv * rv;
    zv = rv / du;
    z[o + 6] = zv;
    n6 += rv * zv;
    x[o + 7]! += a7 * p[o + 7]!;
    rv = r[o + 7]! - a7 * q[o + 7]!;
    r[o + 7] = rv;
    r7 += rv * rv;
    zv = rv / du;
    z[o + 7] = zv;
    n7 += rv * zv;
  }
  rr[0] = r0;
  rr[1] = r1;
  rr[2] = r2;
  rr[3] = r3;
  rr[4] = r4;
  rr[5] = r5;
  rr[6] = r6;
  rr[7] = r7;
  next[0] = n0;
  next[1] = n1;
  next[2] = n2;
  next[3] = n3;
  next[4] = n4;
  next[5] = n5;
  next[6] = n6;
  next[7] = n7;
}

/** p = z + β·p for k systems row-major m×k, and ct[s] = c·Σ_u p_u (the next product's centring term). O(k·m). */
function blockDirection(m: number, k: number, c: number, beta: Float64Array, z: Float64Array, p: Float64Array, ct: Float64Array): void {
  ct.fill(0);
  for (let u = 0; u < m; u++) {
    for (let s = 0, o = u * k; s < k; s++, o++) {
      const pv = z[o]! + beta[s]! * p[o]!;
      p[o] = pv;
      ct[s]! += pv;
    }
  }
  for (let s = 0; s < k; s++) ct[s] = c * ct[s]!;
}

/** Unit right-hand sides a {@link unitSolves} advances together by default (one pass over the edges serves all). */
export const UNIT_SOLVE_SLOTS = 8;

/**
 * Solves A·x = e_v for every vertex v of `ids` — the columns of A⁻¹ — by conjugate gradients with the Jacobi
 * preconditioner, `slots` systems at a time: the iterates are held row-major m×slots, so each pass over the
 * adjacency lists (one matrix product, {@link blockProduct}) serves every slot at once — the edge data is read once
 * per iteration instead of once per system, and a neighbour's `slots` values are contiguous. With 8 slots (the
 * default) the product runs in WebAssembly (`adjProduct8` of kernels.wat, the 8 slots in f64x2 lanes; JavaScript
 * when WebAssembly is unavailable or the kernel backend is forced to `js`), bit-identical to the JavaScript loop.
 * A slot whose system has converged hands its column to `done` and restarts on the next vertex (no slot idles
 * while vertices remain). Each system's arithmetic is exactly that of {@link conjugateGradient} from x = 0 (the
 * same operations in the same order, with a per-slot step length), so a column is bit for bit the one a single
 * solve gives, whatever `slots`, its slot or its neighbours — which is what lets callers split `ids` across threads
 * without changing a bit.
 *
 * `done(v, x, slots, s, iterations)` receives the solution in column `s` of the row-major m×`slots` array `x`
 * (element u at `x[u·slots + s]`); it must read it before returning (the slot is then reused).
 *
 * O(Σ iterations · (edges + m)) arithmetic, with `slots` times fewer passes over the edge data than one solve per
 * vertex; memory 5·m·slots doubles plus a copy of the adjacency (12 bytes per edge end). Measured in
 * bench/README.md (many models). Reference: Saad (2003), "Iterative Methods for Sparse Linear Systems", Alg. 9.1
 * (preconditioned CG) and §6.12 (many right-hand sides).
 *
 * @param ids vertices (0 ≤ v < m) whose columns are wanted, in the order they are started
 * @param tolerance relative residual ‖e_v − A·x‖₂ ≤ tolerance at which a system is solved
 * @param maxIterations iteration cap of one system
 * @param slots systems advanced together (default {@link UNIT_SOLVE_SLOTS}; never changes a result)
 * @returns false as soon as a system does not converge within `maxIterations` or breaks down (A not positive
 *   definite): the remaining columns are then not handed to `done`
 */
export function unitSolves(
  sys: LaplacianSystem,
  ids: ArrayLike<number>,
  tolerance: number,
  maxIterations: number,
  done: (v: number, x: Float64Array, slots: number, s: number, iterations: number) => void,
  slots = UNIT_SOLVE_SLOTS,
): boolean {
  const m = sys.m;
  const k = Math.max(1, Math.min(slots, ids.length));
  const d = sys.diag;
  const adj = adjacencyOf(sys);
  for (let e = 0; e < adj.w.length; e++) adj.w[e] = sys.w[adj.edge[e]!]!;
  // 8 slots: the product in WebAssembly (kernels.wat adjProduct8, the same bits as product8) over a copy of the
  // system in its memory, p and q living there
  const wasm = k === 8 && !wasmBusy ? wasmBlock(sys, adj) : null;
  const x = wasm ? wasm.x : new Float64Array(m * k);
  const r = wasm ? wasm.r : new Float64Array(m * k);
  const z = wasm ? wasm.z : new Float64Array(m * k);
  const p = wasm ? wasm.p : new Float64Array(m * k);
  const q = wasm ? wasm.q : new Float64Array(m * k);
  const vertex = new Int32Array(k).fill(-1);
  const its = new Int32Array(k);
  const rz = new Float64Array(k);
  const rr = wasm ? wasm.rr : new Float64Array(k);
  const alpha = wasm ? wasm.alpha : new Float64Array(k);
  const beta = wasm ? wasm.beta : new Float64Array(k);
  const pq = wasm ? wasm.pq : new Float64Array(k);
  const next = wasm ? wasm.next : new Float64Array(k);
  const ct = wasm ? wasm.ct : new Float64Array(k);
  const c = sys.c;
  const goal = tolerance * tolerance; // ‖e_v‖² = 1
  let started = 0;
  let active = 0;
  // (re)starts slot s on the next vertex: x = 0, r = e_v, z = p = D⁻¹e_v (conjugateGradient's first lines at x = 0)
  const start = (s: number): void => {
    for (let u = 0; u < m; u++) {
      const o = u * k + s;
      x[o] = 0;
      r[o] = 0;
      z[o] = 0;
      p[o] = 0;
    }
    if (started >= ids.length) {
      vertex[s] = -1;
      rr[s] = 0;
      ct[s] = 0;
      return;
    }
    const v = ids[started++]!;
    vertex[s] = v;
    its[s] = 0;
    const o = v * k + s;
    r[o] = 1;
    const zv = 1 / d[v]!;
    z[o] = zv;
    p[o] = zv;
    rr[s] = 1;
    rz[s] = zv;
    ct[s] = c * zv; // c·Σp, p = D⁻¹e_v
    active++;
  };
  if (wasm) wasmBusy = true;
  try {
    return iterate();
  } finally {
    if (wasm) wasmBusy = false;
  }
  function iterate(): boolean {
    for (let s = 0; s < k; s++) start(s);
    while (active > 0) {
      // hand over the converged (or failed) slots first: a system that starts solved takes no iteration, as in conjugateGradient
      for (let s = 0; s < k; s++) {
        if (vertex[s]! < 0) continue;
        if (rr[s]! <= goal) {
          done(vertex[s]!, x, k, s, its[s]!);
          active--;
          start(s);
          s--; // check the restarted slot too (solved at once only when tolerance ≥ 1)
        } else if (its[s]! >= maxIterations) return false;
      }
      if (active === 0) break;
      // q = A·p and p·q for every slot, row by row over the adjacency lists
      if (wasm) wasm.product();
      else blockProduct(sys, adj, p, q, k, ct, pq);
      for (let s = 0; s < k; s++) {
        if (vertex[s]! < 0) {
          alpha[s] = 0;
          continue;
        }
        // not positive definite (or a breakdown): the system fails, as conjugateGradient gives up unconverged
        if (!(pq[s]! > 0)) return false;
        alpha[s] = rz[s]! / pq[s]!;
      }
      if (wasm) wasm.update();
      else blockUpdate(m, k, d, alpha, x, p, q, r, z, rr, next);
      for (let s = 0; s < k; s++) {
        beta[s] = vertex[s]! < 0 ? 0 : next[s]! / rz[s]!;
        if (vertex[s]! >= 0) {
          rz[s] = next[s]!;
          its[s]!++;
        }
      }
      // an idle slot keeps zeros (α = β = 0, r = z = 0): its columns stay 0 and cost nothing but time
      if (wasm) wasm.direction();
      else blockDirection(m, k, c, beta, z, p, ct);
    }
    return true;
  }
}

/** Whether a {@link unitSolves} holds the sparse WebAssembly instance's memory (a nested call then runs in JavaScript). */
let wasmBusy = false;

/** The block vectors of {@link unitSolves} in the sparse WebAssembly instance's memory, and its three kernels. */
interface WasmBlock {
  readonly x: Float64Array;
  readonly r: Float64Array;
  readonly z: Float64Array;
  readonly p: Float64Array;
  readonly q: Float64Array;
  readonly ct: Float64Array;
  readonly pq: Float64Array;
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  readonly rr: Float64Array;
  readonly next: Float64Array;
  /** {@link blockProduct} for 8 slots (kernels.wat adjProduct8). */
  product(): void;
  /** {@link blockUpdate} for 8 slots (blockUpdate8). */
  update(): void;
  /** {@link blockDirection} for 8 slots (blockDirection8). */
  direction(): void;
}

/**
 * The system and 8-slot block vectors of {@link unitSolves} in the sparse WebAssembly instance's memory (64-byte
 * aligned: the diagonal, adjacency offsets, neighbours and weights, then x, r, z, p, q and the per-slot scalars),
 * as views, with the kernels over them; null without WebAssembly. O(edges + m).
 */
function wasmBlock(sys: LaplacianSystem, adj: Adjacency): WasmBlock | null {
  const m = sys.m;
  const entries = adj.nbr.length;
  const up = (b: number) => Math.ceil(b / 64) * 64;
  const oD = 0;
  const oStart = up(oD + 8 * m);
  const oNbr = up(oStart + 4 * (m + 1));
  const oW = up(oNbr + 4 * entries);
  const oX = up(oW + 8 * entries);
  const oR = oX + 64 * m;
  const oZ = oR + 64 * m;
  const oP = oZ + 64 * m;
  const oQ = oP + 64 * m;
  const oCt = oQ + 64 * m;
  const oPq = oCt + 64;
  const oAlpha = oPq + 64;
  const oBeta = oAlpha + 64;
  const oRr = oBeta + 64;
  const oNext = oRr + 64;
  const w = sparseWasm(oNext + 64);
  if (!w) return null;
  const buf = w.memory.buffer;
  new Float64Array(buf, oD, m).set(sys.diag);
  new Int32Array(buf, oStart, m + 1).set(adj.start);
  new Int32Array(buf, oNbr, entries).set(adj.nbr);
  new Float64Array(buf, oW, entries).set(adj.w);
  const c = sys.c;
  const view = (o: number, n: number) => new Float64Array(buf, o, n);
  return {
    x: view(oX, 8 * m),
    r: view(oR, 8 * m),
    z: view(oZ, 8 * m),
    p: view(oP, 8 * m),
    q: view(oQ, 8 * m),
    ct: view(oCt, 8),
    pq: view(oPq, 8),
    alpha: view(oAlpha, 8),
    beta: view(oBeta, 8),
    rr: view(oRr, 8),
    next: view(oNext, 8),
    product: () => w.adjProduct8(m, oD, c, oStart, oNbr, oW, oP, oQ, oCt, oPq),
    update: () => w.blockUpdate8(m, oD, oAlpha, oX, oP, oQ, oR, oZ, oRr, oNext),
    direction: () => w.blockDirection8(m, c, oBeta, oZ, oP, oCt),
  };
}
