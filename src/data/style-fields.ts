import { InputError } from '../errors.js';

/**
 * The response-style features LMArena controls for (FastChat `STYLE_CONTROL_ELEMENTS_V1`, lmarena/arena-rank):
 * answer length in tokens, markdown headers, list items, bold spans. Order is fixed: it is the column order of
 * {@link BattleTable.style} and of style coefficients.
 */
export const STYLE_FEATURES = ['sum_assistant_tokens', 'header_count', 'list_count', 'bold_count'] as const;

/** Number of style features. */
export const STYLE_K = STYLE_FEATURES.length;

/** Input field names for side A, as in LMArena's `conv_metadata`. */
export const STYLE_FIELDS_A: readonly string[] = ['sum_assistant_a_tokens', 'header_count_a', 'list_count_a', 'bold_count_a'];
/** Input field names for side B. */
export const STYLE_FIELDS_B: readonly string[] = ['sum_assistant_b_tokens', 'header_count_b', 'list_count_b', 'bold_count_b'];

/**
 * Whether a raw row carries style fields: a `conv_metadata` object (LMArena's JSON) or the flat field
 * `sum_assistant_a_tokens` (CSV, flattened exports). Two property reads: cheap on the plain path.
 */
export function hasStyleFields(row: Record<string, unknown>): boolean {
  return row.conv_metadata !== undefined || row.sum_assistant_a_tokens !== undefined;
}

function countOf(v: unknown): number | string {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : 'must be a finite number ≥ 0';
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('{')) {
      try {
        return countOf(JSON.parse(s));
      } catch {
        return 'must be a number or an object of numbers';
      }
    }
    if (s !== '' && /^[-+0-9.eE]+$/.test(s)) return countOf(Number(s));
    return v === '' ? 'missing' : 'must be a number or an object of numbers';
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    let total = 0;
    for (const x of Object.values(v)) {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) return 'must be a number or an object of numbers ≥ 0';
      total += x;
    }
    return Number.isFinite(total) ? total : 'must be an object of numbers with a finite sum (these add up to more than 1.8e308)';
  }
  return v === undefined ? 'missing' : 'must be a number or an object of numbers';
}

/**
 * Reads the 8 style counts of one row into `out` (A's four features, then B's), from `conv_metadata` when the row
 * has it, else from top-level fields. A count is a number ≥ 0, a numeric string (CSV), or an object of numbers
 * that is summed (LMArena stores `header_count_a` as `{h1: …, …, h6: …}`, `list_count_a` as
 * `{ordered, unordered}`, `bold_count_a` as `{"**": …, "__": …}`, as FastChat and arena-rank sum them). O(1).
 *
 * @throws InputError `file:line: field: reason` for a missing or malformed count
 */
export function readStyleFields(row: Record<string, unknown>, file: string, line: number, out: Float64Array): void {
  const meta = row.conv_metadata;
  let src: Record<string, unknown> = row;
  let prefix = '';
  if (meta !== undefined) {
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
      throw new InputError('must be an object of style counts', { file, line, field: 'conv_metadata' });
    }
    src = meta as Record<string, unknown>;
    prefix = 'conv_metadata.';
  }
  for (let k = 0; k < 8; k++) {
    const name = k < 4 ? STYLE_FIELDS_A[k]! : STYLE_FIELDS_B[k - 4]!;
    const v = countOf(src[name]);
    if (typeof v === 'string') throw new InputError(v, { file, line, field: prefix + name });
    out[k] = v;
  }
}
