import { InvalidArgumentError } from 'commander';

/** Parses a finite number option. */
export function numberArg(what = 'a number', check: (x: number) => boolean = () => true) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || !check(x)) throw new InvalidArgumentError(`expected ${what}`);
    return x;
  };
}

/** A finite number. */
export const anyNumber = numberArg();
/** A number > 0. */
export const positiveNumber = numberArg('a number > 0', (x) => x > 0);
/** A number > 1. */
export const greaterThanOne = numberArg('a number > 1', (x) => x > 1);
/** A number ≥ 0. */
export const nonNegativeNumber = numberArg('a number ≥ 0', (x) => x >= 0);
/** An integer ≥ 0. */
export const nonNegativeInt = numberArg('an integer ≥ 0', (x) => Number.isInteger(x) && x >= 0);
/** An integer ≥ 1. */
export const positiveInt = numberArg('an integer ≥ 1', (x) => Number.isInteger(x) && x >= 1);
/** A probability in [0, 1]. */
export const probability = numberArg('a probability in [0, 1]', (x) => x >= 0 && x <= 1);
/** A level strictly between 0 and 1. */
export const level = numberArg('a level strictly between 0 and 1', (x) => x > 0 && x < 1);
/** A random seed: an integer or any word. */
export const seedArg = (value: string): string | number => (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value);
