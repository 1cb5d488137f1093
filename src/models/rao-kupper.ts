/** Rao & Kupper (1967): a tie is a gap within a threshold η = log θ_RK on the logistic scale. */
import { tieLikelihoodModel } from './tie-model.js';

/** The Rao–Kupper tie model (`--ties rao-kupper`). */
export const raoKupper = tieLikelihoodModel('rao-kupper');
