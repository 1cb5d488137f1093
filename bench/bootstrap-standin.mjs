// STAND-IN for the library's bootstrap (issue 3, not on main yet). It exists only so that the bench has a
// bootstrap stage to time; it is NOT the project's bootstrap and its results are not used anywhere.
//
// What it does, per round: redraw every count of every pair cell as Poisson(count) (the Poisson approximation of
// the multinomial bootstrap), then refit Bradley–Terry by Newton steps that reuse the Hessian of the point fit,
// factored once (fixed-Hessian refits), from the point estimate, to the fit tolerance.
import { btCells, choleskyInPlace, choleskySolveInPlace, btGradientHessian, deriveRng, normal, pointsPerLogit } from '../dist/index.js';

export const LABEL = 'STAND-IN (bench/bootstrap-standin.mjs, not the library): Poisson cell counts + fixed-Hessian Newton refits';

function poisson(lambda, rng) {
  if (lambda === 0) return 0;
  if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rng)));
  let p = Math.exp(-lambda);
  let f = p;
  let k = 0;
  const u = rng();
  while (u > f && k < 1000) {
    k++;
    p *= lambda / k;
    f += p;
  }
  return k;
}

/**
 * @param point a PointFit from fitRatings (Bradley–Terry)
 * @returns { rounds, m, ratings: Float64Array(rounds·m) } display-scale ratings (without anchor) per round
 */
export function bootstrapStandIn(point, { rounds, seed, ties = 'half', tolerance = 1e-6, scale = { scale: 400, base: 10, initial: 1000 } }) {
  const pc = point.pairs;
  const m = pc.models.length;
  const P = pc.pairs;
  const prior = point.prior;
  const f = pointsPerLogit(scale);
  const tolTheta = tolerance / f;
  // Hessian of the point fit, made definite by + c·11ᵀ as fitBradleyTerry does, factored once
  const g = new Float64Array(m);
  const L = new Float64Array(m * m);
  btGradientHessian(btCells(pc, ties), point.theta, prior, g, L);
  let trace = 0;
  for (let v = 0; v < m; v++) trace += L[v * m + v];
  const c = trace > 0 ? trace / (m * m) : 1;
  for (let q = 0; q < m * m; q++) L[q] += c;
  if (!choleskyInPlace(L, m)) throw new Error('stand-in bootstrap: Hessian not definite');
  const res = { models: pc.models, pairs: P, i: pc.i, j: pc.j, winsI: new Float64Array(P), winsJ: new Float64Array(P), ties: new Float64Array(P), bothbad: new Float64Array(P) };
  const out = new Float64Array(rounds * m);
  const theta = new Float64Array(m);
  let iterations = 0;
  for (let r = 0; r < rounds; r++) {
    const rng = deriveRng(seed, 'bootstrap-standin', r);
    for (let k = 0; k < P; k++) {
      res.winsI[k] = poisson(pc.winsI[k], rng);
      res.winsJ[k] = poisson(pc.winsJ[k], rng);
      res.ties[k] = poisson(pc.ties[k], rng);
      res.bothbad[k] = poisson(pc.bothbad[k], rng);
    }
    const cells = btCells(res, ties);
    theta.set(point.theta);
    for (let it = 0; it < 100; it++) {
      iterations++;
      g.fill(0);
      for (let k = 0; k < P; k++) {
        const n = cells.n[k];
        if (n === 0) continue;
        const i = cells.i[k];
        const j = cells.j[k];
        const rr = cells.s[k] - n / (1 + Math.exp(theta[j] - theta[i]));
        g[i] += rr;
        g[j] -= rr;
      }
      if (prior) for (let v = 0; v < m; v++) g[v] -= prior * theta[v];
      choleskySolveInPlace(L, m, g);
      let step = 0;
      let mean = 0;
      for (let v = 0; v < m; v++) {
        theta[v] += g[v];
        mean += theta[v];
        step = Math.max(step, Math.abs(g[v]));
      }
      mean /= m;
      for (let v = 0; v < m; v++) theta[v] -= mean;
      if (step < tolTheta) break;
    }
    for (let v = 0; v < m; v++) out[r * m + v] = scale.initial + f * theta[v];
  }
  return { rounds, m, ratings: out, iterations };
}
