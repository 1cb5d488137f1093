import { UsageError } from '../errors.js';
import { type BattleFilter, FilterFieldError, MISSING, testRowBy } from './filter.js';

/**
 * The voter (judge, crowd worker, user) of each battle, read by `--voter-field PATH`: a field path, its segments
 * separated by dots (`judge`, `worker`, `meta.user_id`); the first segment is the top-level field (the CSV column),
 * the rest descend into an object (in CSV, the cell parsed as JSON). The value is a string or a finite number (a
 * number is kept as its decimal text, so `7` and `"7"` are the same voter); null or the empty string means the row
 * names no voter (it is fitted, never tested). Any other value, or a row without the top-level field, is an error.
 */
export interface VoterPath {
  /** The path as given. */
  readonly field: string;
  /** Its segments, the top-level key first. */
  readonly segments: readonly string[];
}

/**
 * Parses a `--voter-field` value: dot-separated non-empty segments.
 * @throws UsageError for an empty path or an empty segment (`a..b`, `.a`)
 */
export function parseVoterPath(field: string): VoterPath {
  const segments = field.split('.');
  if (field.trim() === '' || segments.some((s) => s === '')) throw new UsageError(`--voter-field ${JSON.stringify(field)}: expected a field path such as judge or meta.user_id (non-empty segments separated by dots)`);
  return { field, segments };
}

/**
 * The voter name in a row's top-level value (`top`: a JSON value, or for CSV the cell's text), following the
 * path's remaining segments; null where the row names no voter.
 * @throws FilterFieldError for a missing field or a value that is not a string or a finite number
 */
export function voterOf(path: VoterPath, top: unknown, csv: boolean): string | null {
  const [head, ...rest] = path.segments;
  if (top === MISSING) throw new FilterFieldError(head!, `unknown field (--voter-field ${path.field} reads it)`);
  let v: unknown = top;
  if (csv && rest.length > 0 && typeof v === 'string' && v !== '') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new FilterFieldError(path.field, `the cell is not a JSON object (--voter-field ${path.field} descends into it)`);
    }
  }
  for (let i = 0; i < rest.length; i++) {
    if (v === null || v === undefined || (csv && v === '')) return null;
    if (typeof v !== 'object' || Array.isArray(v)) throw new FilterFieldError(path.segments.slice(0, i + 1).join('.'), `expected an object on the way to ${path.field}, found ${typeof v === 'string' ? 'a string' : Array.isArray(v) ? 'an array' : typeof v}`);
    const o = v as Record<string, unknown>;
    if (!Object.hasOwn(o, rest[i]!)) throw new FilterFieldError(path.field, `unknown field (--voter-field reads it; the object at ${path.segments.slice(0, i + 1).join('.')} has no key ${JSON.stringify(rest[i])})`);
    v = o[rest[i]!];
  }
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new FilterFieldError(path.field, `a voter must be a string or a finite number, found ${typeof v === 'object' ? (Array.isArray(v) ? 'an array' : 'an object') : `${typeof v} ${String(v)}`}`);
}

/**
 * A reader-side filter that also reads each kept row's voter: it runs `inner` (the user's filter and covariates) on
 * its own keys, then sets `out[0]` to the voter's id from `intern` (−1 for none), for the table builder to store
 * with the row (`BattleTableBuilder.useVoters`). The readers extract only the top-level fields it reads; no row
 * object is built. A row the inner filter rejects is not read for its voter.
 */
export function voterFilter(inner: BattleFilter | null, path: VoterPath, intern: (name: string) => number, out: Int32Array): BattleFilter {
  const keys: string[] = [...(inner?.keys ?? [])];
  let slot = keys.indexOf(path.segments[0]!);
  if (slot < 0) slot = keys.push(path.segments[0]!) - 1;
  const n = inner?.keys.length ?? 0;
  const innerVals = new Array<unknown>(n);
  const fields = new Map(inner?.fields ?? []);
  if (!fields.has(path.field)) fields.set(path.field, 'any');
  const run = (values: readonly unknown[], csv: boolean): boolean => {
    if (inner) {
      for (let i = 0; i < n; i++) innerVals[i] = values[i];
      if (!(csv ? inner.testCsv(innerVals) : inner.test(innerVals))) return false;
    }
    const name = voterOf(path, values[slot], csv);
    out[0] = name === null ? -1 : intern(name);
    return true;
  };
  return {
    expression: inner?.expression ?? '',
    keys,
    fields,
    test: (values) => run(values, false),
    testCsv: (values) => run(values, true),
    testRow: testRowBy(keys, run),
  };
}
