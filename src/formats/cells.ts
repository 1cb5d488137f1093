import type { PairCounts } from '../data/aggregate.js';
import { OUTCOME_LABEL, OUTCOMES } from '../data/schema.js';

/** An RFC 4180 cell written exactly (quoted when it holds `"`, `,`, a line break or edge white space): names round-trip. */
function exactCell(text: string): string {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The cells of pair counts as CSV (`model_a,model_b,winner,count`, and `weight,weight2` for weighted counts: the
 * mean weight of the cell's battles and their Σw²), one line per non-empty (pair, outcome) cell, pairs in (i, j)
 * order with model_a the lower id; the file `arena … --cells` reads back. Names are written exactly (no
 * spreadsheet escaping: this is data), numbers in JavaScript's shortest round-trip form. O(pairs).
 */
export function formatCellsCsv(pc: PairCounts): string {
  const weighted = pc.weight !== undefined;
  const lines = [weighted ? 'model_a,model_b,winner,count,weight,weight2' : 'model_a,model_b,winner,count'];
  for (let k = 0; k < pc.pairs; k++) {
    const a = exactCell(pc.models[pc.i[k]!]!);
    const b = exactCell(pc.models[pc.j[k]!]!);
    const counts = [pc.winsI[k]!, pc.winsJ[k]!, pc.ties[k]!, pc.bothbad[k]!];
    OUTCOMES.forEach((outcome, o) => {
      const c = counts[o]!;
      if (c === 0) return;
      const label = exactCell(OUTCOME_LABEL[outcome]);
      lines.push(weighted ? `${a},${b},${label},${c},${pc.weight![4 * k + o]! / c},${pc.weight2![4 * k + o]!}` : `${a},${b},${label},${c}`);
    });
  }
  return lines.join('\n') + '\n';
}
