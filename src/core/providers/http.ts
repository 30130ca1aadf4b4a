import { setTimeout as sleep } from 'node:timers/promises'
import { HttpError, redact } from '../errors'

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number
  /** Delay before the first retry; doubled each time, with jitter. */
  retryDelay: number
  /** Time allowed for one attempt, body included. */
  timeout: number
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: string | FormData
  policy: RetryPolicy
  signal?: AbortSignal
  /** Values to scrub from anything that ends up in an error. */
  secrets: Array<string | undefined>
  onRetry?: (error: HttpError, attempt: number, delayMs: number) => void
}

export interface HttpResponse {
  status: number
  headers: Headers
  body: Buffer
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])
const MAX_DELAY = 60_000

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value)
    return undefined
  const seconds = Number(value)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now()
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 5 * MAX_DELAY) : undefined
}

/** The provider's `{"error": …}` message, or the start of a non-JSON body. */
function errorDetail(body: Buffer, statusText: string): string {
  const text = body.toString('utf8').slice(0, 2000)
  try {
    const json = JSON.parse(text)
    const error = json?.error ?? json?.message ?? json?.detail
    if (error)
      return typeof error === 'string' ? error : (error.message ?? JSON.stringify(error))
  }
  catch {}
  return text.trim().slice(0, 300) || statusText
}

async function attempt(req: HttpRequest): Promise<HttpResponse | HttpError> {
  const { method, url, policy } = req
  const timeout = AbortSignal.timeout(policy.timeout)
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout
  try {
    const res = await fetch(url, { method, headers: req.headers, body: req.body, signal })
    const body = Buffer.from(await res.arrayBuffer())
    if (res.ok)
      return { status: res.status, headers: res.headers, body }
    const detail = redact(errorDetail(body, res.statusText), req.secrets)
    return new HttpError(method, url, res.status, detail, RETRY_STATUS.has(res.status), parseRetryAfter(res.headers.get('retry-after')))
  }
  catch (error: any) {
    if (req.signal?.aborted)
      throw req.signal.reason ?? error
    if (timeout.aborted)
      return new HttpError(method, url, undefined, `no complete answer within ${policy.timeout} ms`, true)
    const cause = error?.cause?.code ?? error?.cause?.message ?? error?.message
    return new HttpError(method, url, undefined, redact(`connection failed (${cause})`, req.secrets), true)
  }
}

/** One HTTP exchange with an explicit retry and timeout policy (exponential backoff, jitter, Retry-After). */
export async function request(req: HttpRequest): Promise<HttpResponse> {
  for (let n = 0; ; n++) {
    const result = await attempt(req)
    if (!(result instanceof HttpError))
      return result
    if (!result.retryable || n >= req.policy.retries)
      throw result
    const backoff = Math.min(req.policy.retryDelay * 2 ** n, MAX_DELAY) * (0.5 + Math.random() / 2)
    const delay = result.retryAfterMs ?? backoff
    req.onRetry?.(result, n + 1, delay)
    await sleep(delay, undefined, { signal: req.signal })
  }
}
