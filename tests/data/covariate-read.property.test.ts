import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CovariateSpec, covariateFilter } from '../../src/data/covariates.js';
import { FastRowReader } from '../../src/data/fast-jsonl.js';
import { compileFilter } from '../../src/data/filter.js';
import { readBattles } from '../../src/data/load.js';
import { BattleTableBuilder } from '../../src/data/table.js';
import { InputError } from '../../src/errors.js';
import { exactNumber, plainTable } from '../helpers.js';

// Differential test of the byte reader's covariates (numbers found at their field paths on bytes, no row object)
// against the reference path (JSON.parse + zod + the compiled expressions on the parsed row): on random rows whose
// covariate fields come in every shape (numbers in many spellings, null, strings, arrays, missing keys, repeated
// keys, escaped keys, non-objects on the way, deep nesting), both engines give the same table with the same
// covariate values, or the same error (file, line, field, reason).

const dir = mkdtempSync(join(tmpdir(), 'arena-covread-'));

/** A number in one of the spellings JSON allows (and one it does not: the reader must refuse what JSON.parse refuses). */
const numberText = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -5000, max: 5000 }).map(String) },
  { weight: 4, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((x) => JSON.stringify(x)) },
  { weight: 2, arbitrary: fc.constantFrom('0', '-0', '1e3', '1E+2', '2.50', '-0.0', '123456789012345678', '0.1e-5') },
  { weight: 1, arbitrary: fc.constantFrom('1e400', '-1e400', '01', '1.', '.5', '+1', '1e') },
);
/** A value of any other shape. */
const otherValue = fc.constantFrom('null', 'true', '"12"', '[]', '[1]', '{}', '{"n":1}');
/** Key spellings for `n`: plain, escaped (decodes to n), or another key. */
const keyN = fc.constantFrom('"n"', '"n"', '"n"', '"n"', '"\\u006e"', '"\\u006e"', '"m"', '"n "');
const keyV = fc.constantFrom('"v"', '"v"', '"v"', '"\\u0076"', '"w"');
const ws = fc.constantFrom('', '', ' ', '\n', '\t ');

/** The text of `meta`: an object holding n and deep.v (sometimes twice, sometimes missing), or another value. */
const metaText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        n: fc.array(fc.tuple(keyN, fc.oneof({ weight: 12, arbitrary: numberText }, { weight: 1, arbitrary: otherValue })), { minLength: 0, maxLength: 3 }),
        deep: fc.oneof(
          { weight: 12, arbitrary: fc.array(fc.tuple(keyV, fc.oneof({ weight: 12, arbitrary: numberText }, { weight: 1, arbitrary: otherValue })), { minLength: 1, maxLength: 3 }).map((vs) => `{${vs.map(([k, v]) => `${k}:${v}`).join(',')}}`) },
          { weight: 1, arbitrary: otherValue },
        ),
        deepTimes: fc.constantFrom(0, 1, 1, 1, 1, 2),
        extra: fc.constantFrom('', '"other":{"n":5,"v":[1,{"x":null}]}', '"s":"a\\"b"', '"z":-2.5e-3'),
        sp: ws,
      })
      .map(({ n, deep, deepTimes, extra, sp }) => {
        // deep twice: JSON.parse keeps the second, which has no v
        const deeps = deepTimes === 0 ? [] : deepTimes === 1 ? [`"deep":${deep}`] : [`"deep":${deep}`, '"deep":{"w":1}'];
        const parts = [...n.map(([k, v]) => `${k}:${sp}${v}`), ...deeps, ...(extra ? [extra] : [])];
        return `{${sp}${parts.join(`,${sp}`)}${sp}}`;
      }),
  },
  { weight: 1, arbitrary: otherValue },
  { weight: 1, arbitrary: numberText },
);

const rowText = fc
  .record({
    a: fc.constantFrom('model-a', 'model-b', 'model-c'),
    b: fc.constantFrom('model-c', 'model-d'),
    w: fc.constantFrom('model_a', 'model_b', 'tie', 'tie (bothbad)'),
    lang: fc.constantFrom('"en"', '"en"', '"uk"', 'null'),
    x: fc.oneof({ weight: 12, arbitrary: numberText }, { weight: 1, arbitrary: otherValue }),
    hasX: fc.integer({ min: 0, max: 15 }),
    meta: metaText,
    hasMeta: fc.integer({ min: 0, max: 15 }),
    order: fc.boolean(),
  })
  .map(({ a, b, w, lang, x, hasX, meta, hasMeta, order }) => {
    const fields = [`"model_a":"${a}"`, `"model_b":"${b}"`, `"winner":"${w}"`, `"lang":${lang}`];
    if (hasX > 0) fields.push(`"x":${x}`);
    if (hasMeta > 0) fields.push(`"meta":${meta}`);
    if (hasX === 15) fields.push(`"x":${x}`); // a repeated top-level key
    if (order) fields.reverse();
    return `{${fields.join(',')}}`;
  });

const SPECS: readonly (readonly CovariateSpec[])[] = [
  [{ name: 'x', expression: 'x' }],
  [
    { name: 'n', expression: 'meta.n' },
    { name: 'v', expression: 'meta.deep.v' },
  ],
  [
    { name: 'x', expression: 'x' },
    { name: 'r', expression: 'ratio(meta.n, meta.deep.v)' },
    { name: 'd', expression: 'meta.deep.v * 2 - x' },
  ],
];
const FILTERS = [undefined, 'lang == "en"', 'meta.n > 0'];

type Outcome = { table: ReturnType<typeof plainTable>; cov: unknown[][] } | { error: string };

async function read(file: string, engine: 'fast' | 'reference', covariates: readonly CovariateSpec[], filter: string | undefined): Promise<Outcome> {
  try {
    const t = await readBattles([file], { engine, covariates, ...(filter ? { filter } : {}), styleFields: false });
    return { table: plainTable(t), cov: t.covariates!.columns.map((c) => [...c].map(exactNumber)) };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { error: e.message };
  }
}

describe('covariates read on bytes = covariates of the parsed row (differential)', () => {
  it('random rows, covariates at nested paths and computed from them, with and without a filter: same table or same error', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(rowText, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: SPECS.length - 1 }), fc.integer({ min: 0, max: FILTERS.length - 1 }), async (rows, s, f) => {
        const file = join(dir, `r${k++}.jsonl`);
        writeFileSync(file, rows.join('\n') + '\n');
        const fast = await read(file, 'fast', SPECS[s]!, FILTERS[f]);
        const ref = await read(file, 'reference', SPECS[s]!, FILTERS[f]);
        expect(fast).toEqual(ref);
      }),
      { numRuns: 500 },
    );
  });

  it('the byte reader takes the rows in the plain shape itself, and leaves the others to the reference path', () => {
    const specs = SPECS[2]!;
    const builder = new BattleTableBuilder();
    const filter = covariateFilter(compileFilter('lang == "en"'), specs, builder.useCovariates(specs.map((c) => c.name)));
    expect(filter.leaves?.paths).toEqual([['x'], ['meta', 'n'], ['meta', 'deep', 'v']]);
    const reader = new FastRowReader(builder, { filter });
    const take = (text: string) => {
      const buf = Buffer.from(text);
      return reader.tryRow(buf, 0, buf.length);
    };
    const row = (x: string, meta: string, lang = '"en"') => `{"model_a":"p","model_b":"q","winner":"tie","lang":${lang},"x":${x},"meta":${meta}}`;
    expect(take(row('3', '{"n":1,"deep":{"v":4},"o":[{"n":9}]}'))).toBe(true);
    expect(take(row('-2.5e1', '{ "deep" : { "w" : 0 , "v" : 0.5 } , "n" : -1 }'))).toBe(true);
    const t = builder.finish();
    // x, ratio(n, v) = (n − v)/(n + v), 2v − x, computed here by hand
    expect(t.covariates!.columns.map((c) => [...c])).toEqual([
      [3, -25],
      [(1 - 4) / 5, (-1 - 0.5) / -0.5],
      [5, 26],
    ]);
    const declined = [
      row('3', '{"n":1,"n":2,"deep":{"v":4}}'), // repeated key: JSON.parse keeps the last
      row('3', '{"n":1,"\\u006e":2,"deep":{"v":4}}'), // an escaped key that decodes to n (JSON.parse keeps 2)
      row('3', '{"n":1,"deep":[4]}'), // not an object on the way
      row('3', '{"n":"1","deep":{"v":4}}'), // a string, not a number
      row('3', '{"deep":{"v":4}}'), // missing
      row('1e400', '{"n":1,"deep":{"v":4}}'), // not finite
      row('3', '{"n":1,"deep":{"v":null}}'),
    ];
    for (const text of declined) expect(take(text), text).toBe(false);
    // a row the filter drops is taken (counted as dropped) whatever its covariates look like
    expect(take(row('"x"', 'null', '"uk"'))).toBe(true);
  });
});
