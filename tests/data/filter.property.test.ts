import fc from 'fast-check';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/data/filter.js';
import { readBattles, type ReadOptions } from '../../src/data/load.js';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';
import type { Outcome } from '../../src/data/schema.js';
import { plainTable, tempFile } from '../helpers.js';

// Differential and set properties of filters. Rows in the shape of LMArena's raw battles (language, anony,
// tstamp, dedup_tag, category_tag with the seven criteria_v0.1 booleans) are generated with a filter and, beside
// it, a hand-written predicate over the same row object. The battles `readBattles` keeps with the filter must be
// exactly those of `JSON.parse` + the predicate, in every format and on both engines.

const LANGS = ['English', 'Japanese', 'unknown', '中文'] as const;
const CRITERIA = ['specificity', 'domain_knowledge', 'complexity', 'problem_solving', 'creativity', 'technical_accuracy', 'real_world'] as const;
const MODELS = ['m0', 'm1', 'm2', 'm3'];
const WINNERS = ['model_a', 'model_b', 'tie', 'tie (bothbad)'] as const;
const OUTCOME: Record<string, Outcome> = { model_a: 'a', model_b: 'b', tie: 'tie', 'tie (bothbad)': 'bothbad' };
/** 2024-04-01T00:00:00Z in seconds; rows fall within 60 days of it. */
const T0 = Date.UTC(2024, 3, 1) / 1000;

interface Row {
  model_a: string;
  model_b: string;
  winner: (typeof WINNERS)[number];
  count: number;
  tstamp: number;
  language: string | null;
  anony: boolean;
  dedup_tag: { high_freq: boolean; sampled: boolean };
  category_tag: { 'criteria_v0.1': Record<string, boolean> };
}

const row: fc.Arbitrary<Row> = fc
  .record({
    x: fc.nat({ max: 3 }),
    d: fc.integer({ min: 1, max: 3 }),
    winner: fc.constantFrom(...WINNERS),
    count: fc.integer({ min: 1, max: 4 }),
    tstamp: fc.integer({ min: 0, max: 60 * 86400 }).map((s) => T0 + s + (s % 3) * 0.25),
    language: fc.option(fc.constantFrom(...LANGS), { freq: 6 }),
    anony: fc.boolean(),
    high_freq: fc.boolean(),
    sampled: fc.boolean(),
    criteria: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
  })
  .map((r) => ({
    model_a: MODELS[r.x]!,
    model_b: MODELS[(r.x + r.d) % 4]!,
    winner: r.winner,
    count: r.count,
    tstamp: r.tstamp,
    language: r.language,
    anony: r.anony,
    dedup_tag: { high_freq: r.high_freq, sampled: r.sampled },
    category_tag: { 'criteria_v0.1': Object.fromEntries(CRITERIA.map((c, k) => [c, r.criteria[k]!])) },
  }));

/** A filter as text, and the same condition written by hand in JavaScript. */
interface Case {
  text: string;
  pred: (r: Row) => boolean;
}

const trueCriteria = (r: Row) => Object.values(r.category_tag['criteria_v0.1']).filter((x) => x === true).length;
/** Seconds of a UTC day, computed with Date.UTC (not with the filter's date parser). */
const daySeconds = (day: number) => T0 + day * 86400;
const isoDay = (day: number) => new Date(daySeconds(day) * 1000).toISOString().slice(0, 10);

const atom: fc.Arbitrary<Case> = fc.oneof(
  fc.constantFrom(...LANGS).map((l) => ({ text: `language == ${JSON.stringify(l)}`, pred: (r: Row) => r.language === l })),
  fc.constantFrom(...LANGS).map((l) => ({ text: `language != ${JSON.stringify(l)}`, pred: (r: Row) => r.language !== l })),
  fc.subarray([...LANGS], { minLength: 1 }).map((ls) => ({ text: `language in ${JSON.stringify(ls)}`, pred: (r: Row) => r.language !== null && ls.includes(r.language as never) })),
  fc.constant({ text: 'exists(language)', pred: (r: Row) => r.language !== null }),
  fc.constant({ text: 'anony', pred: (r: Row) => r.anony }),
  fc.constant({ text: 'dedup_tag.sampled', pred: (r: Row) => r.dedup_tag.sampled }),
  fc.constant({ text: 'not dedup_tag["high_freq"]', pred: (r: Row) => !r.dedup_tag.high_freq }),
  fc.integer({ min: 0, max: 7 }).map((k) => ({ text: `count(category_tag["criteria_v0.1"]) >= ${k}`, pred: (r: Row) => trueCriteria(r) >= k })),
  fc.constant({
    text: 'count(category_tag["criteria_v0.1"].specificity, category_tag["criteria_v0.1"].creativity) == 2',
    pred: (r: Row) => r.category_tag['criteria_v0.1'].specificity! && r.category_tag['criteria_v0.1'].creativity!,
  }),
  fc.integer({ min: 0, max: 60 }).map((d) => ({ text: `tstamp >= date("${isoDay(d)}")`, pred: (r: Row) => r.tstamp >= daySeconds(d) })),
  fc.integer({ min: 0, max: 60 }).map((d) => ({ text: `tstamp < ${daySeconds(d) + 0.25}`, pred: (r: Row) => r.tstamp < daySeconds(d) + 0.25 })),
  fc.constantFrom(...WINNERS).map((w) => ({ text: `winner == "${w}"`, pred: (r: Row) => r.winner === w })),
  fc.constantFrom(...MODELS).map((m) => ({ text: `model_a == "${m}" or model_b == "${m}"`, pred: (r: Row) => r.model_a === m || r.model_b === m })),
  fc.integer({ min: 1, max: 4 }).map((c) => ({ text: `count * 2 > ${2 * c - 1}`, pred: (r: Row) => r.count >= c })),
);

const filterCase: fc.Arbitrary<Case> = fc.letrec<{ f: Case }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('f'), tie('f')).map(([a, b]) => ({ text: `(${a.text}) and (${b.text})`, pred: (r: Row) => a.pred(r) && b.pred(r) })),
    fc.tuple(tie('f'), tie('f')).map(([a, b]) => ({ text: `(${a.text}) or (${b.text})`, pred: (r: Row) => a.pred(r) || b.pred(r) })),
    tie('f').map((a) => ({ text: `not (${a.text})`, pred: (r: Row) => !a.pred(r) })),
  ),
})).f;

/** The independent implementation: JSON.parse of each line, then the hand-written predicate. */
function expected(text: string, pred: (r: Row) => boolean): ReturnType<typeof plainTable> | null {
  const kept = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row)
    .filter(pred);
  if (kept.length === 0) return null;
  return plainTable(tableFromBattles(kept.map((r) => ({ modelA: r.model_a, modelB: r.model_b, outcome: OUTCOME[r.winner]!, count: r.count, tstamp: r.tstamp }))));
}

const jsonlText = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
/** CSV with the flat fields as plain cells (the fast CSV reader's shape) and the nested ones as quoted JSON cells. */
function csvText(rows: Row[], nested: boolean): string {
  const cols = ['model_a', 'model_b', 'winner', 'count', 'tstamp', 'language', 'anony', ...(nested ? ['dedup_tag', 'category_tag'] : [])];
  const cell = (v: unknown) => (v === null ? '' : typeof v === 'object' ? `"${JSON.stringify(v).replace(/"/g, '""')}"` : String(v));
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c as keyof Row])).join(','))].join('\n') + '\n';
}
function parquetBytes(rows: Row[]): Buffer {
  const col = (name: keyof Row, type: NonNullable<ColumnSource['type']>): ColumnSource => ({ name, data: rows.map((r) => r[name]) as never, type });
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [col('model_a', 'STRING'), col('model_b', 'STRING'), col('winner', 'STRING'), col('count', 'INT32'), col('tstamp', 'DOUBLE'), col('language', 'STRING'), col('anony', 'BOOLEAN'), col('dedup_tag', 'JSON'), col('category_tag', 'JSON')],
    }),
  );
}

/** Whether a filter uses only the fields of the flat CSV (no nested objects). */
const flatOnly = (text: string) => !/dedup_tag|category_tag/.test(text);

async function read(file: string, opts: ReadOptions): Promise<ReturnType<typeof plainTable> | string> {
  try {
    return plainTable((await readBattles([file], opts)) as BattleTable);
  } catch (e) {
    return (e as Error).message;
  }
}

describe('filters select exactly the rows of a hand-written predicate', () => {
  it('in JSONL, JSON, CSV and Parquet, fast and reference engines', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), filterCase, async (rows, { text, pred }) => {
        const body = jsonlText(rows);
        const want = expected(body, pred);
        // the same values spelled with escapes on odd lines: different bytes, same strings
        const escaped = body
          .split('\n')
          .map((l, i) => (i % 2 ? l.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/"English"/g, '"Engl\\u0069sh"') : l))
          .join('\n');
        const files: [string, ReadOptions][] = [
          [tempFile('b.jsonl', body), {}],
          [tempFile('b.jsonl', escaped), {}],
          [tempFile('b.jsonl', body), { engine: 'reference' }],
          [tempFile('b.json', JSON.stringify(rows, null, 1)), {}],
          [tempFile('b.json', JSON.stringify(rows)), { engine: 'reference' }],
          [tempFile('b.csv', csvText(rows, true)), {}],
          [tempFile('b.parquet', parquetBytes(rows)), {}],
        ];
        if (flatOnly(text)) files.push([tempFile('b.csv', csvText(rows, false)), {}]);
        for (const [file, opts] of files) {
          const got = await read(file, { ...opts, filter: text });
          if (want === null) expect(got, `${file} ${JSON.stringify(opts)}: ${text}`).toMatch(/no battles pass the filter/);
          else expect(got, `${file} ${JSON.stringify(opts)}: ${text}`).toEqual(want);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('filter algebra on rows', () => {
  it('A and B keeps the intersection, A or B the union, not A the complement', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), filterCase, filterCase, (rows, a, b) => {
        const keep = (t: string) => rows.map((r) => compileFilter(t).testRow(r as unknown as Record<string, unknown>));
        const A = keep(a.text);
        const B = keep(b.text);
        expect(keep(`(${a.text}) and (${b.text})`)).toEqual(A.map((x, i) => x && B[i]));
        expect(keep(`(${a.text}) or (${b.text})`)).toEqual(A.map((x, i) => x || B[i]));
        expect(keep(`not (${a.text})`)).toEqual(A.map((x) => !x));
        // and the hand-written predicate agrees row by row
        expect(A).toEqual(rows.map(a.pred));
      }),
      { numRuns: 200 },
    );
  });

  it('reading with a filter, then without one, splits the battles: kept(A) + kept(not A) = all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), filterCase, async (rows, { text }) => {
        const file = tempFile('b.jsonl', jsonlText(rows));
        const all = (await readBattles([file])).battles;
        const battles = async (f: string) => {
          try {
            return (await readBattles([file], { filter: f })).battles;
          } catch (e) {
            expect((e as Error).message).toMatch(/no battles pass the filter/);
            return 0;
          }
        };
        expect((await battles(text)) + (await battles(`not (${text})`))).toBe(all);
      }),
      { numRuns: 40 },
    );
  });
});
