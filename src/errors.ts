/**
 * One error type per failure a user can meet. `main.ts` maps each to an exit
 * code and prints its message as a single line (no stack trace).
 */

/** Base class: an error whose message is fit to show a user as one line. */
export class BunsnatchError extends Error {
  /** Process exit code this error maps to. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command line (unknown flag, missing argument). Exit 2. */
export class UsageError extends BunsnatchError {
  override readonly exitCode = 2;
}

/** Bad or missing configuration; the message names file, section, option and value. Exit 2. */
export class ConfigError extends BunsnatchError {
  override readonly exitCode = 2;
}

/** Another process holds the mirror lock. Exit 3. */
export class LockHeldError extends BunsnatchError {
  override readonly exitCode = 3;
}

/** The upstream answered wrongly or not at all (HTTP status, unparsable body, protocol fault). */
export class UpstreamError extends BunsnatchError {
  /** HTTP status when there was one; lets callers tell 404 from 5xx. */
  readonly status: number | undefined;
  /** Whether trying again later may succeed (5xx, 429, resets, timeouts). */
  readonly retryable: boolean;
  /** Seconds the upstream asked us to wait (Retry-After), if any. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    message: string,
    options: { status?: number; retryable?: boolean; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Downloaded bytes did not match the advertised size or digest. */
export class IntegrityError extends BunsnatchError {}

/** Upstream data we refuse to act on (path escape, unexpected host, malformed digest...). */
export class HostileDataError extends BunsnatchError {}

/** The storage backend failed (ENOSPC, EACCES, EROFS...); the message names the path and cause. */
export class StorageError extends BunsnatchError {
  readonly code: string | undefined;
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/** Returns a one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? String(error);
  return String(error);
}
