import { setTimeout as sleep } from 'node:timers/promises'

/** What is read of an answer's headers: fetch's Headers, or node:http's, without building one. */
export interface HeaderReader { get: (name: string) => string | null }

/** How long the host asks to wait: Retry-After (seconds or an HTTP date) or Segmind's reset time. */
export function retryAfterOf(headers: HeaderReader): number | undefined {
  return parseRetryAfter(headers.get('retry-after')) ?? parseResetAt(headers.get('x-rate-limit-reset-at-utc'))
}

const CAP = 5 * 60_000

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value)
    return undefined
  const seconds = Number(value)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now()
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), CAP) : undefined
}

/** A reset moment as an ISO or HTTP date, or as Unix seconds, in milliseconds from now. */
export function parseResetAt(value: string | null): number | undefined {
  if (!value)
    return undefined
  const n = Number(value)
  const at = Number.isFinite(n) ? n * 1000 : Date.parse(value)
  return Number.isFinite(at) ? Math.min(Math.max(at - Date.now(), 0), CAP) : undefined
}

/**
 * One host's rate limit, shared by every request to it. A 429 pauses the whole queue until the
 * moment the host named, and teaches the gate the limit: the requests the host took in the
 * window that ended, and the window's length. From then on at most that many requests go out a
 * window, so a free plan's few requests a minute are spent evenly instead of bouncing.
 */
export function createRateGate() {
  let until = 0
  let limit = Number.POSITIVE_INFINITY
  let windowMs = 0
  let windowStart = 0
  let passed = 0
  let succeeded = 0
  return {
    async wait(signal?: AbortSignal): Promise<void> {
      for (;;) {
        const now = Date.now()
        if (now < until) {
          await sleep(until - now, undefined, { signal })
          continue
        }
        if (!passed || (windowMs && now >= windowStart + windowMs)) {
          windowStart = now
          passed = 0
          succeeded = 0
        }
        if (passed < limit) {
          passed++
          return
        }
        until = windowStart + windowMs
      }
    },
    /** A request the host carried out. */
    ok(): void {
      succeeded++
    },
    /** A 429: nothing goes out for `ms`; learnt once per window, not from late answers of the old one. */
    limited(ms: number): void {
      const now = Date.now()
      until = Math.max(until, now + ms)
      if (now < windowStart)
        return
      limit = Math.max(1, succeeded)
      // At least a millisecond, so a full window always ends (a zero wait must not spin).
      windowMs = Math.max(windowMs, now + ms - windowStart, 1)
      windowStart = now + ms
      passed = 0
      succeeded = 0
    },
  }
}

export type RateGate = ReturnType<typeof createRateGate>
