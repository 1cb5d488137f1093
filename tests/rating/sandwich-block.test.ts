import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { leaguePolicy } from '../../src/sim/league.js';
import { aggregatePairs } from '../../src/data/aggregate.js';
import { btCells, fitBradleyTerry } from '../../src/rating/bradley-terry.js';
import { pointsPerLogit } from '../../src/rating/scale.js';
import { btSandwichFactors, sparseContrastVariances, sparseSandwich, type SparseSandwichData } from '../../src/rating/sandwich.js';
import { sandwichEntry } from '../../src/math/linalg.js';
import { laplacianSystem, unitSolves } from '../../src/math/sparse.js';
import { setKernelBackend } from '../../src/math/kernels.js';
import { contrastVariancesParallel } from '../../src/stats/sandwich-parallel.js';
import { rateWithIntervals } from '../../src/stats/uncertainty.js';

const POINTS = pointsPerLogit({ scale: 400, base: 10 });

/** A league board (each model meets ~k others: half neighbours by rating, half random) of m models, n battles. */
function league(m: number, k: number, n: number, seed: number) {
  const truth = { models: Array.from({ length: m }, (_, v) => `m${String(v).padStart(4, '0')}`), ratings: Float64Array.from({ length: m }, (_, v) => 1000 + 300 * Math.sin(v * 1.7 + seed)) };
  return simulateTable(truth, n, {}, createRng(seed), leaguePolicy(truth.ratings, k, createRng(seed + 1)));
}

/** Largest |sd_a − sd_b| in rating points over two vectors of variances (natural scale). */
function sdGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let v = 0; v < a.length; v++) d = Math.max(d, Math.abs(Math.sqrt(Math.max(0, a[v]!)) - Math.sqrt(Math.max(0, b[v]!))) * POINTS);
  return d;
}

const all = (m: number) => Int32Array.from({ length: m }, (_, v) => v);

describe('sparseContrastVariances: a whole board of sandwich variances by blocks of CG solves', () => {
  // ~1,000 models on a sparse league graph (≈ 30 opponents each), fitted once, the dense sandwich as reference
  const m = 1000;
  const pc = aggregatePairs(league(m, 30, 150_000, 7));
  const theta = fitBradleyTerry(btCells(pc, 'half'), { prior: 0 }).theta;
  const dense = btSandwichFactors(pc, 'half', theta, 0);
  const denseVar = Float64Array.from({ length: m }, (_, v) => sandwichEntry(dense, v, v));
  const ref = 17;
  const denseContrast = Float64Array.from({ length: m }, (_, v) => sandwichEntry(dense, v, v) + sandwichEntry(dense, ref, ref) - 2 * sandwichEntry(dense, v, ref));
  const s = sparseSandwich(pc, 'half', theta, 0);

  it('equals the dense sandwich sd to 1e-6 rating points at 1,000 models, centred and as gaps to a reference model', () => {
    const centred = s.contrastVariances(all(m), -1);
    const gaps = s.contrastVariances(all(m), ref);
    expect(sdGap(centred, denseVar)).toBeLessThan(1e-6);
    expect(sdGap(gaps, denseContrast)).toBeLessThan(1e-6);
    expect(gaps[ref]).toBe(0);
    // the check has power: the plausible wrong answers miss by far more than the tolerance
    // (1) J replaced by H: the meat taken equal to the information weights, i.e. H⁻¹ instead of H⁻¹JH⁻¹
    const asInfo: SparseSandwichData = { ...s.data, mi: s.data.i, mj: s.data.j, meat: s.data.w };
    const wrongMeat = sparseContrastVariances(asInfo, laplacianSystem(m, s.data.i, s.data.j, s.data.w, 0), all(m), -1);
    expect(sdGap(wrongMeat, denseVar)).toBeGreaterThan(1e-3);
    // (2) the centring forgotten: θ pinned at one model (a grounded Laplacian) instead of Σθ = 0
    expect(sdGap(s.contrastVariances(all(m), 0), denseVar)).toBeGreaterThan(1e-3);
  });

  it('gives entry(v, v) (one CG solve per model) and entry(v,v) + entry(r,r) − 2·entry(v,r) bit for bit, whatever the slots or the split of the ids', () => {
    const ids = Int32Array.from([5, 999, 0, 5, 321, 640, 77, 78, 79, 80, 81, 500]);
    const blockVar = s.contrastVariances(ids, -1);
    const blockGap = s.contrastVariances(ids, ref);
    for (let t = 0; t < ids.length; t++) {
      const v = ids[t]!;
      expect(blockVar[t]).toBe(s.entry(v, v));
      expect(blockGap[t]).toBe(s.entry(v, v) + s.entry(ref, ref) - 2 * s.entry(v, ref));
    }
    const sys = laplacianSystem(m, s.data.i, s.data.j, s.data.w, 0);
    for (const slots of [1, 3, 8, 13]) expect(sparseContrastVariances(s.data, sys, ids, ref, slots)).toEqual(blockGap);
    // 8 slots run the product in WebAssembly (kernels.wat adjProduct8) unless the backend is forced to JavaScript
    const old = setKernelBackend('js');
    try {
      expect(sparseContrastVariances(s.data, sys, ids, ref, 8)).toEqual(blockGap);
    } finally {
      setKernelBackend(old);
    }
    const halves = [...sparseContrastVariances(s.data, sys, ids.subarray(0, 5), ref), ...sparseContrastVariances(s.data, sys, ids.subarray(5), ref)];
    expect(Float64Array.from(halves)).toEqual(blockGap);
  });

  it('unitSolves hands every column over once, solved to the tolerance, and reports failure on an indefinite system', () => {
    const sys = laplacianSystem(m, s.data.i, s.data.j, s.data.w, 0);
    const seen: number[] = [];
    const ok = unitSolves(sys, [3, 1, 4], 1e-10, 5000, (v, x, k, slot) => {
      seen.push(v);
      // A·x_v = e_v to the tolerance: the product of the column with the system's matrix, row v
      const col = Float64Array.from({ length: m }, (_, u) => x[u * k + slot]!);
      const y = new Float64Array(m);
      let total = 0;
      for (let u = 0; u < m; u++) total += col[u]!;
      for (let u = 0; u < m; u++) y[u] = sys.diag[u]! * col[u]! + sys.c * total - sys.c * col[u]!;
      for (let e = 0; e < sys.w.length; e++) {
        y[sys.i[e]!]! -= sys.w[e]! * col[sys.j[e]!]!;
        y[sys.j[e]!]! -= sys.w[e]! * col[sys.i[e]!]!;
      }
      let r = 0;
      for (let u = 0; u < m; u++) r += (y[u]! - (u === v ? 1 : 0)) ** 2;
      expect(Math.sqrt(r)).toBeLessThan(1e-9);
    });
    expect(ok).toBe(true);
    expect(seen.sort()).toEqual([1, 3, 4]);
    const bad = laplacianSystem(3, Int32Array.from([0, 1]), Int32Array.from([1, 2]), [1, -5], 0);
    expect(unitSolves(bad, [0, 1, 2], 1e-10, 50, () => {})).toBe(false);
  });
});

describe('sandwich variances on worker threads', () => {
  it('are bit-identical for 1 and 2 threads (and to the variances in this thread)', async () => {
    const m = 300;
    const pc = aggregatePairs(league(m, 20, 40_000, 3));
    const theta = fitBradleyTerry(btCells(pc, 'half'), { prior: 0 }).theta;
    const s = sparseSandwich(pc, 'half', theta, 0);
    const here = s.contrastVariances(all(m), 4);
    const one = await contrastVariancesParallel(s.data, all(m), 4, 1, 0);
    const two = await contrastVariancesParallel(s.data, all(m), 4, 2, 0);
    expect(one).toEqual(here);
    expect(two).toEqual(here);
  });

  it('every command path (rateWithIntervals) gives the dense intervals to 1e-6 points with the sparse sandwich, on 1 or 2 threads', async () => {
    const t = league(150, 12, 30_000, 11);
    const dense = await rateWithIntervals(t, { solver: 'dense' }, { ciMethod: 'sandwich', threads: 1 });
    const one = await rateWithIntervals(t, { solver: 'sparse' }, { ciMethod: 'sandwich', threads: 1 });
    const two = await rateWithIntervals(t, { solver: 'sparse' }, { ciMethod: 'sandwich', threads: 2 });
    expect(two.intervals!.lower).toEqual(one.intervals!.lower);
    expect(two.intervals!.upper).toEqual(one.intervals!.upper);
    let d = 0;
    for (let v = 0; v < 150; v++) d = Math.max(d, Math.abs(one.intervals!.upper[v]! - one.point.ratings[v]! - (dense.intervals!.upper[v]! - dense.point.ratings[v]!)));
    expect(d).toBeLessThan(1e-6);
  });
});
