// The bootstrap stage of the bench: the library's own Bradley–Terry bootstrap (issue 3), exactly as `arena rate
// --bootstrap R` runs it: `bootstrapJobOf` (multinomial over the aggregated cells, fixed-Hessian refits) and
// `bootstrapRatings` (worker threads when `threads` > 1; the result does not depend on the thread count).
import { bootstrapJobOf, bootstrapRatings, DEFAULT_RATE } from '../dist/index.js';

/** What the stage measures (printed with the results). */
export const bootstrapLabel = 'library: bootstrapRatings (exact multinomial cell draw + fixed-Hessian refit), as `arena rate --bootstrap`';

/**
 * Runs `rounds` bootstrap rounds of the Bradley–Terry fit of `table` (battles) whose point fit is `point`
 * (a PointFit from fitRatings with DEFAULT_RATE), with `threads` worker threads. Returns the distribution
 * (kept alive only so the work is not optimised away).
 */
export async function bootstrapStage(table, point, { rounds, seed, threads }) {
  const job = bootstrapJobOf(table, point, DEFAULT_RATE);
  return bootstrapRatings(job, { rounds, seed, threads });
}
