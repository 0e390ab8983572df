/**
 * The one error type that crosses every boundary (worker → CLI, main → renderer, serve → browser).
 * `code` is stable and machine-readable; `message` is a sentence a user can act on: it names the
 * problem and, where there is one, the fix.
 */
export type StrataErrorCode =
  | 'INVALID_ARGUMENT'
  | 'BRANCH_INVALID'
  | 'MOUNTPOINT_INVALID'
  | 'POLICY_INVALID'
  | 'NOT_MOUNTED'
  | 'ALREADY_MOUNTED'
  | 'BUSY'
  | 'WORKER_FAILED'
  | 'NOT_IN_UNION'
  | 'NOT_FOUND'
  | 'PERMISSION'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'INTERNAL';

export interface StrataErrorData {
  code: StrataErrorCode;
  message: string;
  /** Structured extras, e.g. the processes that keep a branch busy. */
  details?: unknown;
}

export class StrataError extends Error {
  readonly code: StrataErrorCode;
  readonly details?: unknown;
  constructor(code: StrataErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'StrataError';
    this.code = code;
    this.details = details;
  }
  toData(): StrataErrorData {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
  static from(data: StrataErrorData): StrataError {
    return new StrataError(data.code, data.message, data.details);
  }
}

/** Turn anything thrown into wire data without losing a StrataError's code. */
export function toErrorData(err: unknown): StrataErrorData {
  if (err instanceof StrataError) return err.toData();
  if (err && typeof err === 'object' && 'code' in err && 'message' in err && typeof (err as StrataErrorData).message === 'string') {
    const e = err as { code: unknown; message: string };
    if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) && !e.code.startsWith('E')) {
      return { code: e.code as StrataErrorCode, message: e.message };
    }
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
