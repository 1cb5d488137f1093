import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandFileGlob } from '../../src/data/cells-file.js';
import { InputError } from '../../src/errors.js';
import { cli, tempDir } from '../helpers.js';

/**
 * `--cells` accepts a pattern in the file name: a cluster writes its cells as several parts (part-00000.csv, …), and
 * `arena rate --cells 'cells/part-*.csv'` reads them all, in name order.
 */
describe('expandFileGlob', () => {
  const dir = tempDir();
  for (const f of ['part-2.csv', 'part-10.csv', 'part-1.csv', 'part-a.csv', 'other.csv', 'part-1.csv.bak', 'a.b.csv', 'axbxcsv']) writeFileSync(join(dir, f), '');
  mkdirSync(join(dir, 'sub'));
  it('expands * ? and […] within the file name, in code-unit order, and keeps a plain name as it is', () => {
    expect(expandFileGlob(join(dir, 'part-*.csv'))).toEqual(['part-1.csv', 'part-10.csv', 'part-2.csv', 'part-a.csv'].map((f) => join(dir, f)));
    expect(expandFileGlob(join(dir, 'part-?.csv'))).toEqual(['part-1.csv', 'part-2.csv', 'part-a.csv'].map((f) => join(dir, f)));
    expect(expandFileGlob(join(dir, 'part-[0-9].csv'))).toEqual(['part-1.csv', 'part-2.csv'].map((f) => join(dir, f)));
    expect(expandFileGlob(join(dir, 'part-[!0-9].csv'))).toEqual([join(dir, 'part-a.csv')]);
    // a dot is a dot (not "any character"), and * does not reach into a folder
    expect(expandFileGlob(join(dir, 'a.b.*'))).toEqual([join(dir, 'a.b.csv')]);
    expect(expandFileGlob(join(dir, '*.csv')).some((f) => f.includes('sub'))).toBe(false);
    expect(expandFileGlob('cells.csv')).toEqual(['cells.csv']);
  });
  it('no match, or a folder that cannot be read: an input error naming the pattern', () => {
    expect(() => expandFileGlob(join(dir, 'none-*.csv'))).toThrow(InputError);
    expect(() => expandFileGlob(join(dir, 'missing', '*.csv'))).toThrow(/cannot read the folder/);
  });
});

describe('arena rate --cells with a pattern', () => {
  it('reads every part: the board of the parts listed one by one', async () => {
    const dir = tempDir();
    const header = 'model_a,model_b,winner,count';
    const rows = [
      ['a,b,model_a,7', 'a,b,model_b,3', 'a,c,tie,2'],
      ['b,c,model_a,5', 'b,c,model_b,4', 'a,c,model_a,6'],
      ['c,a,model_b,1', 'c,b,tie (bothbad),2'],
    ];
    rows.forEach((r, k) => writeFileSync(join(dir, `part-${k}.csv`), [header, ...r].join('\n') + '\n'));
    const listed = await cli(['rate', '--cells', ...rows.map((_, k) => join(dir, `part-${k}.csv`)), '--format', 'json']);
    const glob = await cli(['rate', '--cells', join(dir, 'part-*.csv'), '--format', 'json']);
    expect(listed.code).toBe(0);
    expect(glob.code).toBe(0);
    expect(glob.stdout).toBe(listed.stdout);
    expect(JSON.parse(glob.stdout).battles).toBe(30); // 7 + 3 + 2 + 5 + 4 + 6 + 1 + 2
    const none = await cli(['rate', '--cells', join(dir, 'nothing-*.csv')]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
  });
});
