// The bootstrap stage of the bench, in one place. Until the library's bootstrap (issue 3) is on main this times
// a clearly labelled stand-in. To plug the real one in, replace the import below with the library's function
// (from '../dist/index.js') and adapt the three lines of `bootstrapStage` to its signature; run.mjs and
// stages.mjs need no change.
import { bootstrapStandIn as bootstrap, LABEL } from './bootstrap-standin.mjs';

/** What the stage measures (printed with the results). */
export const bootstrapLabel = LABEL;

/**
 * Runs `rounds` bootstrap rounds of the Bradley–Terry fit of `table` (battles) whose point fit is `point`
 * (a PointFit from fitRatings), with `threads` worker threads when supported. Returns anything (kept alive only
 * so the work is not optimised away).
 */
export function bootstrapStage(table, point, { rounds, seed, threads }) {
  void table;
  void threads;
  return bootstrap(point, { rounds, seed });
}
