/** Where a problem was found, so every message can name the file, the spec and the field. */
export interface ErrorPlace {
  file?: string
  spec?: string
  field?: string
}

/** A problem with the user's input, environment or store; its message never carries a key. */
/**
 * A user's error (a spec, the config, a key, the budget, frozen mode, a provider's refusal) is
 * its message and hint: no stack of our internals, in the terminal (Vite prints `stack`,
 * esbuild turns its first frame into a location) or in Vite's overlay (it shows the `at` lines),
 * and webpack's `hideStack` flag is set. An internal error keeps its stack.
 */
function quiet(error: Error): void {
  // Read when printed, so a subclass's name is in it: `SpecError: Invalid seedream spec …`, as V8 starts a stack.
  let stack: string | undefined
  Object.defineProperty(error, 'stack', { configurable: true, get: () => stack ?? `${error.name}: ${error.message}`, set: (value: string) => { stack = value } })
  Object.defineProperty(error, 'hideStack', { value: true })
}

export class SeedreamError extends Error {
  override name = 'SeedreamError'
  constructor(message: string, readonly place: ErrorPlace = {}, readonly code = 'SEEDREAM_ERROR') {
    super(redact(message))
    quiet(this)
  }
}

/** Said without a stack: ours, for something the user can fix. */
export const isUserError = (error: unknown): error is Error => error instanceof SeedreamError || error instanceof HttpError

/** One invalid field of one spec. */
export interface SpecIssue {
  field: string
  message: string
}

/** Every invalid field of one spec, reported together so a user fixes them in one pass. */
export class SpecError extends SeedreamError {
  override name = 'SpecError'
  constructor(readonly issues: SpecIssue[], place: { file?: string, spec?: string }) {
    const where = [place.spec && `spec "${place.spec}"`, place.file && `in ${place.file}`].filter(Boolean).join(' ')
    const lines = issues.map(i => `  - ${i.field}: ${i.message}`)
    super(`Invalid seedream ${where || 'spec'}:\n${lines.join('\n')}`, { ...place, field: issues[0]?.field }, 'SEEDREAM_INVALID_SPEC')
  }
}

export interface HttpErrorOptions {
  /** Worth sending again: the exchange is known not to have been billed (429, 5xx) or is a read. */
  retryable?: boolean
  /** The request reached the provider and may have been billed, but no usable answer came back. */
  mayBeBilled?: boolean
  retryAfterMs?: number
  cause?: unknown
}

/** A failed HTTP exchange with a provider; the message carries method, URL and status like ofetch's. */
export class HttpError extends Error {
  override name = 'HttpError'
  readonly retryable: boolean
  readonly mayBeBilled: boolean
  readonly retryAfterMs?: number
  /** The provider's own words, redacted. */
  readonly detail: string
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number | undefined,
    detail: string,
    options: HttpErrorOptions = {},
  ) {
    super(redact(`[${method}] ${url}: ${status ?? 'network error'} ${detail}`.trim()), { cause: options.cause })
    this.detail = redact(detail)
    this.retryable = options.retryable ?? false
    this.mayBeBilled = options.mayBeBilled ?? false
    this.retryAfterMs = options.retryAfterMs
    quiet(this)
  }
}

/**
 * Every key this process knows, so that one function scrubs them from anything that may reach a
 * log, an error, the CLI's output or a file: keys are registered where options are resolved.
 */
const secrets = new Set<string>()

export function addSecrets(...values: Array<string | undefined>): void {
  for (const value of values) {
    if (value && value.length >= 4)
      secrets.add(value)
  }
}

/** Removes every registered secret (and `extra`) from a text. */
export function redact(text: string, extra: Array<string | undefined> = []): string {
  let out = text
  for (const secret of [...secrets, ...extra]) {
    if (secret && secret.length >= 4)
      out = out.split(secret).join('***')
  }
  return out
}

/** Bytes enough to start an excerpt from: more than `max` plus the longest key, so redaction sees whole keys. */
export function head(body: Uint8Array, max: number): string {
  const longest = Math.max(0, ...[...secrets].map(s => s.length))
  return Buffer.from(body.subarray(0, 4 * (max + longest) + 64)).toString('utf8')
}

/** At most `max` characters of a text, cut after redaction so no part of a key survives the cut. */
export function excerpt(text: string, max: number): string {
  const clean = redact(text).replace(/\s+/g, ' ').trim()
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}
