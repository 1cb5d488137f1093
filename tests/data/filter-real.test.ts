import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { readBattles, type ReadOptions } from '../../src/data/load.js';
import { tableFromBattles } from '../../src/data/table.js';
import type { Outcome } from '../../src/data/schema.js';
import { cli, FIXTURES, plainTable, tempFile } from '../helpers.js';

// Real data: 12,656 pair-count rows of four languages of the 2024-08-14 Chatbot Arena dump, with a `language`
// field (fixtures/README.md). Filters must select exactly the rows a plain JSON.parse + predicate selects, in every
// format; and `language == "Japanese"` must give the table of the separately converted Japanese fixture.

const LANGUAGES = join(FIXTURES, 'data/chatbot-arena-20240814-languages/battles.jsonl');
const JAPANESE = join(FIXTURES, 'data/chatbot-arena-20240814-japanese/battles.jsonl');
const UKRAINIAN = join(FIXTURES, 'data/chatbot-arena-20240814-ukrainian/battles.jsonl');
const OUTCOME: Record<string, Outcome> = { model_a: 'a', model_b: 'b', tie: 'tie', 'tie (bothbad)': 'bothbad' };

interface Row {
  model_a: string;
  model_b: string;
  winner: string;
  count: number;
  language: string;
}
const text = readFileSync(LANGUAGES, 'utf8');
const rows = text
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Row);

/** The plain implementation: the parsed rows, a predicate, a table. */
const plainFiltered = (pred: (r: Row) => boolean) => plainTable(tableFromBattles(rows.filter(pred).map((r) => ({ modelA: r.model_a, modelB: r.model_b, outcome: OUTCOME[r.winner]!, count: r.count }))));

const CASES: [string, (r: Row) => boolean][] = [
  ['language == "Japanese"', (r) => r.language === 'Japanese'],
  ['language in ["Hebrew", "Latin"]', (r) => r.language === 'Hebrew' || r.language === 'Latin'],
  ['not (language == "Japanese") and count >= 2', (r) => r.language !== 'Japanese' && r.count >= 2],
  ['language != "Ukrainian" and winner != "tie (bothbad)" and model_a < "gpt"', (r) => r.language !== 'Ukrainian' && r.winner !== 'tie (bothbad)' && r.model_a < 'gpt'],
  ['(model_a == "gpt-4o-2024-05-13" or model_b == "gpt-4o-2024-05-13") and language == "Japanese"', (r) => (r.model_a === 'gpt-4o-2024-05-13' || r.model_b === 'gpt-4o-2024-05-13') && r.language === 'Japanese'],
];

const csv = ['model_a,model_b,winner,count,language', ...rows.map((r) => [r.model_a, r.model_b, r.winner, r.count, r.language].join(','))].join('\n') + '\n';
const FILES: [string, string, ReadOptions][] = [
  ['jsonl', LANGUAGES, {}],
  ['jsonl reference', LANGUAGES, { engine: 'reference' }],
  ['json', tempFile('l.json', JSON.stringify(rows, null, 2)), {}],
  ['csv', tempFile('l.csv', csv), {}],
  [
    'parquet',
    tempFile(
      'l.parquet',
      Buffer.from(
        parquetWriteBuffer({
          columnData: [
            ...(['model_a', 'model_b', 'winner', 'language'] as const).map((name): ColumnSource => ({ name, data: rows.map((r) => r[name]), type: 'STRING' })),
            { name: 'count', data: rows.map((r) => r.count), type: 'INT32' },
          ],
          rowGroupSize: 5000,
        }),
      ),
    ),
    {},
  ],
];

describe('filters on real battles (four languages, 2024-08-14)', () => {
  it('the fixture has names that need care in CSV: none with a comma or a quote', () => {
    expect(rows.some((r) => /[",]/.test(r.model_a + r.model_b))).toBe(false);
    expect(new Set(rows.map((r) => r.language))).toEqual(new Set(['Japanese', 'Ukrainian', 'Hebrew', 'Latin']));
  });

  for (const [name, file, opts] of FILES) {
    it(`${name}: every filter keeps exactly the rows of JSON.parse + a hand-written predicate`, async () => {
      for (const [filter, pred] of CASES) {
        const want = plainFiltered(pred);
        expect(want.rows, filter).toBeGreaterThan(50);
        expect(plainTable(await readBattles([file], { ...opts, filter })), `${name}: ${filter}`).toEqual(want);
      }
    });
  }

  it('language == "Japanese" gives the table of the separately converted Japanese file (and Ukrainian likewise)', async () => {
    const pairs = (t: Awaited<ReturnType<typeof readBattles>>) => {
      const m = new Map<string, number>();
      for (let i = 0; i < t.rows; i++) m.set(`${t.models[t.a[i]!]}|${t.models[t.b[i]!]}|${t.outcome[i]}`, t.count[i]!);
      return m;
    };
    for (const [lang, file, battles] of [['Japanese', JAPANESE, 34377], ['Ukrainian', UKRAINIAN, 5111]] as const) {
      const filtered = await readBattles([LANGUAGES], { filter: `language == "${lang}"` });
      const own = await readBattles([file]);
      expect(filtered.battles).toBe(battles);
      expect(filtered.models).toEqual(own.models);
      expect(pairs(filtered)).toEqual(pairs(own));
    }
  });

  it('arena rate --filter gives the ratings of the filtered file (filter, then aggregate and fit)', async () => {
    const filtered = await cli(['rate', LANGUAGES, '--filter', 'language == "Japanese"', '--format', 'json']);
    const own = await cli(['rate', JAPANESE, '--format', 'json']);
    expect(filtered.code).toBe(0);
    const a = JSON.parse(filtered.stdout);
    const b = JSON.parse(own.stdout);
    expect(a.params.filter).toBe('language == "Japanese"');
    expect(a.battles).toBe(34377);
    // pair order inside the file differs: the fit is order-free, so ratings agree to solver tolerance
    const rating = (j: { models: { model: string; rating: number }[] }) => Object.fromEntries(j.models.map((m) => [m.model, m.rating]));
    const ra = rating(a);
    const rb = rating(b);
    expect(Object.keys(ra).sort()).toEqual(Object.keys(rb).sort());
    for (const m of Object.keys(rb)) expect(ra[m], m).toBeCloseTo(rb[m]!, 6);
  });
});
