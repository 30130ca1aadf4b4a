/** Where a problem was found, so every message can name the file, the spec and the field. */
export interface ErrorPlace {
  file?: string
  spec?: string
  field?: string
}

/** A problem with the user's input or environment; raised before any request is made. */
export class SeedreamError extends Error {
  override name = 'SeedreamError'
  constructor(message: string, readonly place: ErrorPlace = {}, readonly code = 'SEEDREAM_ERROR') {
    super(message)
  }
}

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

/** A failed HTTP exchange with a provider; the message carries method, URL and status like ofetch's. */
export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number | undefined,
    readonly detail: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(`[${method}] ${url}: ${status ?? 'network error'} ${detail}`.trim())
  }
}

/** Removes every secret from a text; applied to anything that may reach a log or an error. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text
  for (const secret of secrets) {
    if (secret && secret.length >= 4)
      out = out.split(secret).join('***')
  }
  return out
}
