import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type NewtonProblem, newtonMaximise } from '../../src/rating/newton.js';

/**
 * A penalised logistic (Bradley–Terry with one covariate) problem over x = (θ₁…θ_m, β), written here from its
 * definition: ℓ = Σ c·[y·d − log(1 + e^d)] − ½λ‖x‖², d = θa − θb + β·z. Concave and unconstrained. Every
 * derivatives call is logged with its point and `final` flag.
 */
function logisticProblem(m: number, rows: readonly { a: number; b: number; z: number; y: number; c: number }[], lambda: number) {
  const calls: { x: Float64Array; final: boolean }[] = [];
  const value = (x: Float64Array) => {
    let f = 0;
    for (const r of rows) {
      const d = x[r.a]! - x[r.b]! + x[m]! * r.z;
      f += r.c * (r.y * d - (d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d))));
    }
    for (let v = 0; v <= m; v++) f -= 0.5 * lambda * x[v]! * x[v]!;
    return f;
  };
  const p: NewtonProblem = {
    m,
    extra: 1,
    value,
    derivatives(x, g, h, final) {
      calls.push({ x: Float64Array.from(x), final });
      const n = m + 1;
      for (const r of rows) {
        const d = x[r.a]! - x[r.b]! + x[m]! * r.z;
        const pr = 1 / (1 + Math.exp(-d));
        const idx = [r.a, r.b, m];
        const dv = [1, -1, r.z];
        for (let i = 0; i < 3; i++) {
          g[idx[i]!]! += r.c * (r.y - pr) * dv[i]!;
          for (let j = 0; j < 3; j++) h[idx[i]! * n + idx[j]!]! += r.c * pr * (1 - pr) * dv[i]! * dv[j]!;
        }
      }
      for (let v = 0; v <= m; v++) {
        g[v]! -= lambda * x[v]!;
        h[v * n + v]! += lambda;
      }
      return value(x);
    },
  };
  return { p, calls };
}

const boards = fc.record({
  m: fc.integer({ min: 2, max: 6 }),
  rows: fc.array(fc.record({ a: fc.nat(), b: fc.nat(), z: fc.double({ min: -2, max: 2, noNaN: true }), y: fc.constantFrom(0, 0.5, 1), c: fc.integer({ min: 1, max: 30 }) }), { minLength: 3, maxLength: 40 }),
  lambda: fc.double({ min: 0.01, max: 2, noNaN: true }),
});

describe('newtonMaximise with settleBelow', () => {
  it('ends where the plain iteration ends (to 1e-12), with no more derivative passes, and the last pass evaluated as final within the bound of the estimate', () => {
    fc.assert(
      fc.property(boards, ({ m, rows, lambda }) => {
        const rs = rows.map((r) => ({ ...r, a: r.a % m, b: (r.a + 1 + (r.b % (m - 1))) % m }));
        const plain = logisticProblem(m, rs, lambda);
        const settled = logisticProblem(m, rs, lambda);
        const opts = { tolerance: 1e-10, maxIterations: 50 };
        const a = newtonMaximise(plain.p, new Float64Array(m + 1), opts);
        const b = newtonMaximise(settled.p, new Float64Array(m + 1), { ...opts, settleBelow: 1e-12 });
        expect(a.converged && b.converged).toBe(true);
        for (let v = 0; v <= m; v++) expect(Math.abs(a.x[v]! - b.x[v]!)).toBeLessThan(1e-12);
        expect(settled.calls.length).toBeLessThanOrEqual(plain.calls.length);
        // the contract the covariate fit relies on: its last pass had final = true, at a point within the bound
        const last = settled.calls.at(-1)!;
        expect(last.final).toBe(true);
        for (let v = 0; v <= m; v++) expect(Math.abs(last.x[v]! - b.x[v]!)).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 150 },
    );
  });

  it('saves the confirming pass when the last step is tiny (quadratic convergence), and only then', () => {
    // 4 models in a cycle of decisive and tied games with a covariate: Newton converges quadratically from 0
    const rows = [
      { a: 0, b: 1, z: 0.5, y: 1, c: 7 },
      { a: 1, b: 0, z: -0.3, y: 1, c: 3 },
      { a: 1, b: 2, z: 1.2, y: 1, c: 6 },
      { a: 2, b: 3, z: -1, y: 0.5, c: 5 },
      { a: 3, b: 0, z: 0.1, y: 1, c: 2 },
      { a: 0, b: 2, z: 0.7, y: 0, c: 4 },
    ];
    const plain = logisticProblem(4, rows, 0.1);
    const settled = logisticProblem(4, rows, 0.1);
    newtonMaximise(plain.p, new Float64Array(5), { tolerance: 1e-10, maxIterations: 50 });
    newtonMaximise(settled.p, new Float64Array(5), { tolerance: 1e-10, maxIterations: 50, settleBelow: 1e-12 });
    expect(settled.calls.length).toBe(plain.calls.length - 1);
    // without the option, the flag marks only a point reached by a step below the tolerance (the last one)
    expect(plain.calls.map((c) => c.final).filter(Boolean).length).toBe(1);
    expect(plain.calls.at(-1)!.final).toBe(true);
  });
});
