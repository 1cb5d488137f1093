/**
 * Error raised for bad input data. Its message is one line in the form
 * `file:line: field: reason` (parts that do not apply are left out), which the CLI prints as is.
 */
export class InputError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly reason: string;
  constructor(reason: string, where: { file?: string | undefined; line?: number | undefined; field?: string | undefined } = {}) {
    const prefix = [where.file, where.line === undefined ? undefined : String(where.line)].filter((x) => x !== undefined).join(':');
    const parts = [prefix || undefined, where.field, reason.replace(/\s+/g, ' ').trim()].filter((x) => x !== undefined && x !== '');
    super(parts.join(': '));
    this.name = 'InputError';
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
    this.reason = reason;
  }
}

/**
 * Error raised for an invalid option value or combination (CLI exit status 2).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
