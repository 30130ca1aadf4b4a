import { setTimeout as sleep } from 'node:timers/promises'

/** How long the host asks to wait: Retry-After (seconds or an HTTP date) or Segmind's reset time. */
export function retryAfterOf(headers: Headers): number | undefined {
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
 * One host's rate limit, shared by every request to it: a 429 pauses the whole queue until the
 * moment the host named, so a free plan's few requests a minute are spent evenly rather than
 * each request retrying on its own schedule and failing.
 */
export function createRateGate() {
  let until = 0
  return {
    async wait(signal?: AbortSignal): Promise<void> {
      while (Date.now() < until)
        await sleep(until - Date.now(), undefined, { signal })
    },
    pause(ms: number): void {
      until = Math.max(until, Date.now() + ms)
    },
  }
}

export type RateGate = ReturnType<typeof createRateGate>
