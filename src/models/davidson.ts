/** Davidson (1970): a tie has probability proportional to ν·√(πi·πj). */
import { tieLikelihoodModel } from './tie-model.js';

/** The Davidson tie model (`--ties davidson`). */
export const davidson = tieLikelihoodModel('davidson');
