import type { HeaderReader, RateGate } from './rate-gate'
import { setTimeout as sleep } from 'node:timers/promises'
import { excerpt, HttpError } from '../../model/errors'
import { retryAfterOf } from './rate-gate'
import { readLimited, TooLarge } from './read-limited'

export type { HeaderReader } from './rate-gate'

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number
  /** Delay before the first retry; doubled each time, with jitter. */
  retryDelay: number
  /** Time allowed for one attempt, body included. */
  timeout: number
  /** Largest answer accepted, in bytes: a larger one is refused while it streams. */
  maxBytes: number
  /** The host's queue: paused as a whole when the host says it is rate limited. */
  gate?: RateGate
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE'
  url: string
  headers: Record<string, string>
  body?: string | FormData | Uint8Array<ArrayBuffer>
  policy: RetryPolicy
  signal?: AbortSignal
  onRetry?: (error: HttpError, attempt: number, delayMs: number) => void
  transport?: Transport
}

export interface HttpResponse {
  status: number
  headers: HeaderReader
  body: Buffer
}

/** One attempt at an exchange: fetch's by default; the object store's goes over node:http. */
export type Transport = (req: HttpRequest) => Promise<HttpResponse | HttpError>

/** Statuses that say the request was not carried out (Segmind bills a 200 only). */
export const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])
/** Connection errors that happen before a request can have reached the host. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])
const MAX_DELAY = 60_000

/** The provider's `{"error": …}` message, or the start of a non-JSON body, with keys scrubbed before the cut. */
function errorDetail(body: Buffer, statusText: string): string {
  const text = body.toString('utf8')
  try {
    const json = JSON.parse(text)
    const error = json?.error ?? json?.message ?? json?.detail
    if (error)
      return excerpt(typeof error === 'string' ? error : (error.message ?? JSON.stringify(error)), 500)
  }
  catch {}
  return excerpt(text, 300) || statusText
}

const authenticated = (headers: Record<string, string>) => Object.keys(headers).some(h => /^(?:x-api-key|authorization)$/i.test(h))

/**
 * A 3xx is never followed with credentials: the key and the prompt go to the configured origin
 * only. Unauthenticated reads (result files on a CDN) may follow, since they carry nothing secret.
 */
function redirected(req: HttpRequest, res: Response): HttpError {
  const location = res.headers.get('location') ?? ''
  let origin = 'an unknown place'
  try { origin = new URL(location, req.url).origin } catch {}
  return new HttpError(req.method, req.url, res.status, `redirected to ${origin}; redirects of authenticated requests are not followed, so the key goes to ${new URL(req.url).origin} only. Check the API URL.`)
}

async function attempt(req: HttpRequest): Promise<HttpResponse | HttpError> {
  const { method, url, policy } = req
  const timeout = AbortSignal.timeout(policy.timeout)
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout
  // A payload that reached the host may have started a paid generation: never sent twice.
  const ambiguous = method === 'POST'
  let res: Response | undefined
  try {
    res = await fetch(url, { method, headers: req.headers, body: req.body, signal, redirect: authenticated(req.headers) ? 'manual' : 'follow' })
    if (res.status >= 300 && res.status < 400)
      return redirected(req, res)
    const body = await readLimited(res, policy.maxBytes)
    if (res.ok)
      return { status: res.status, headers: res.headers, body }
    const retryable = RETRY_STATUS.has(res.status)
    return new HttpError(method, url, res.status, errorDetail(body, res.statusText), { retryable, retryAfterMs: retryAfterOf(res.headers) })
  }
  catch (error: any) {
    if (req.signal?.aborted)
      throw req.signal.reason ?? error
    if (error instanceof TooLarge)
      return new HttpError(method, url, res?.status, error.message, { mayBeBilled: ambiguous })
    const code = error?.cause?.code ?? error?.code
    const sent = !NOT_SENT.has(code)
    const what = timeout.aborted ? `no complete answer within ${policy.timeout} ms` : `connection failed${res ? ' while reading the answer' : ''} (${excerpt(String(code ?? error?.cause?.message ?? error?.message), 200)})`
    return new HttpError(method, url, res?.status, what, { retryable: !ambiguous || !sent, mayBeBilled: ambiguous && sent, cause: error })
  }
}

/**
 * One HTTP exchange with an explicit policy. Reads are retried on any failure; a payload (POST)
 * only when the host says it was not carried out (429, 5xx) or it never left: a timeout, a reset
 * or a cut answer after it was sent fails with `mayBeBilled`, since sending it again may pay twice.
 */
export async function request(req: HttpRequest): Promise<HttpResponse> {
  for (let n = 0; ; n++) {
    await req.policy.gate?.wait(req.signal)
    const result = await (req.transport ?? attempt)(req)
    const backoff = Math.min(req.policy.retryDelay * 2 ** n, MAX_DELAY) * (0.5 + Math.random() / 2)
    const delay = (result instanceof HttpError ? result.retryAfterMs : undefined) ?? backoff
    // A rate limit holds back every request to the host, not only this one, and teaches it the limit.
    if (result instanceof HttpError && result.status === 429)
      req.policy.gate?.limited(delay)
    else req.policy.gate?.ok()
    if (!(result instanceof HttpError))
      return result
    if (!result.retryable || n >= req.policy.retries)
      throw result
    req.onRetry?.(result, n + 1, delay)
    await sleep(delay, undefined, { signal: req.signal })
  }
}
