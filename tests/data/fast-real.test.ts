import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import type { BattleTable } from '../../src/data/table.js';
import { FIXTURES } from '../helpers.js';

// The fast readers and the reference path on the real data sets in fixtures/data: the same tables (or errors).

const plain = (t: BattleTable) => ({ models: t.models, a: t.a, b: t.b, outcome: t.outcome, count: t.count, tstamp: t.tstamp, battles: t.battles });
async function read(file: string, engine: 'fast' | 'reference') {
  try {
    return plain(await readBattles([file], { engine }));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const files = ['chatbot-arena-20240814/battles.jsonl', 'chatbot-arena-20240814-math/battles.jsonl', 'chatbot-arena-20240814-japanese/battles.jsonl', 'llmfao/battles.jsonl', 'llmfao/llmfao.csv'].map((f) => join(FIXTURES, 'data', f));

describe('fast readers on real data', () => {
  for (const file of files) {
    it(file.split('/data/')[1]!, async () => {
      expect(existsSync(file), `${file} is missing`).toBe(true); // read() turns errors into values: a missing file must fail, not match
      const fast = await read(file, 'fast');
      expect(fast).toEqual(await read(file, 'reference'));
      if (file.endsWith('.jsonl')) expect('battles' in fast && fast.battles).toBeGreaterThan(5000);
    });
  }
});
