import type { RetryPolicy } from './http'
import type { GenerateEvents, GenerateResult } from './types'
import { setTimeout as sleep } from 'node:timers/promises'
import { HttpError } from '../errors'
import { request } from './http'
import { toImage, withHint } from './answers'

export interface AsyncOptions extends RetryPolicy {
  apiUrl: string
  apiKey?: string
  headers: Record<string, string>
}

/** A job is given up after this long, however its status reads. */
const JOB_DEADLINE = 15 * 60_000

/**
 * Segmind's async API: submit one job, poll its status with a growing interval, then fetch the
 * result URL(s) (a string or an array) and download at most `maxImages` pictures. The key goes
 * to Segmind only, never to the hosts of the result files.
 */
export async function generateAsync(opts: AsyncOptions, body: object, maxImages: number, signal: AbortSignal | undefined, events: GenerateEvents): Promise<GenerateResult> {
  const secrets = [opts.apiKey]
  const get = (url: string, headers: Record<string, string> = opts.headers) =>
    request({ method: 'GET', url, headers, policy: opts, signal, secrets, onRetry: events.onRetry }).catch(withHint)
  const json = (buf: Buffer) => JSON.parse(buf.toString('utf8'))

  const submitUrl = `${opts.apiUrl}/v2/seedream-4.5`
  const submitted = json((await request({ method: 'POST', url: submitUrl, headers: opts.headers, body: JSON.stringify(body), policy: opts, signal, secrets, onRetry: events.onRetry }).catch(withHint)).body)
  const id = String(submitted.request_id ?? '')
  if (!id)
    throw new HttpError('POST', submitUrl, 200, `answered without a request_id: ${JSON.stringify(submitted).slice(0, 200)}`, false)
  const statusUrl = submitted.status_url ?? `${opts.apiUrl}/v2/requests/${id}/status`
  const resultUrl = submitted.response_url ?? `${opts.apiUrl}/v2/requests/${id}`

  const deadline = Date.now() + JOB_DEADLINE
  for (let n = 0; ; n++) {
    const { status } = json((await get(statusUrl)).body)
    if (status === 'COMPLETED')
      break
    if (status === 'FAILED')
      await get(resultUrl) // answers 422 {"status":"FAILED","error":"…"}, thrown with its message
    if (status === 'FAILED' || Date.now() > deadline)
      throw new HttpError('GET', statusUrl, 200, `job ${id} ${status === 'FAILED' ? 'failed' : `still ${status} after ${JOB_DEADLINE / 60_000} min`}`, false)
    await sleep(Math.min(opts.retryDelay * 1.5 ** n, 10_000), undefined, { signal })
  }

  const result = json((await get(resultUrl)).body)
  const output = [result.output].flat().filter((u: unknown): u is string => typeof u === 'string').slice(0, maxImages)
  if (!output.length)
    throw new HttpError('GET', resultUrl, 200, `job ${id} completed without an output URL`, false)
  const images = []
  for (const url of output) {
    const res = await get(url, {})
    images.push(toImage(res.body, url, res.headers.get('content-type'), 'GET'))
  }
  return { images, requestIds: [id] }
}
