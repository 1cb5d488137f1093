// The bootstrap stage of the bench: the library's own Bradley–Terry bootstrap (issue 3), exactly as `arena rate
// --bootstrap R` runs it: `bootstrapJobOf` (multinomial over the aggregated cells, fixed-Hessian refits) and
// `bootstrapRatings` (worker threads when `threads` > 1; the result does not depend on the thread count).
import { bootstrapJobOf, bootstrapRatings } from '../dist/advanced.js';

/** What the stage measures (printed with the results). */
export const bootstrapLabel = 'library: bootstrapRatings (exact multinomial cell draw + fixed-Hessian refit), as `arena rate --bootstrap`';

/**
 * Runs `rounds` bootstrap rounds of the Bradley–Terry fit `point` (a ModelFit from fitModel with LMArena's
 * defaults), with `threads` worker threads. Returns the distribution (kept alive only so the work is not
 * optimised away).
 */
export async function bootstrapStage(point, { rounds, seed, threads }) {
  const job = bootstrapJobOf(point);
  return bootstrapRatings(job, { rounds, seed, threads });
}
