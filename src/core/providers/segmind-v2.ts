import type { RetryPolicy } from './http'
import type { GenerateEvents, GenerateResult } from './types'
import { HttpError } from '../errors'
import { request } from './http'
import { toImage, withHint } from './answers'
import { json, pollJob } from './common'

export interface AsyncOptions extends RetryPolicy {
  apiUrl: string
  apiKey?: string
  headers: Record<string, string>
}

/**
 * Segmind's async API: submit one job, poll its status with a growing interval, then fetch the
 * result URL(s) (a string or an array) and download at most `maxImages` pictures. The key goes
 * to Segmind only, never to the hosts of the result files.
 */
export async function generateAsync(opts: AsyncOptions, body: object, maxImages: number, signal: AbortSignal | undefined, events: GenerateEvents): Promise<GenerateResult> {
  const secrets = [opts.apiKey]
  const get = (url: string, headers: Record<string, string> = opts.headers) =>
    request({ method: 'GET', url, headers, policy: opts, signal, secrets, onRetry: events.onRetry }).catch(withHint)

  const submitUrl = `${opts.apiUrl}/v2/seedream-4.5`
  const submitted = json((await request({ method: 'POST', url: submitUrl, headers: opts.headers, body: JSON.stringify(body), policy: opts, signal, secrets, onRetry: events.onRetry }).catch(withHint)).body)
  const id = String(submitted.request_id ?? '')
  if (!id)
    throw new HttpError('POST', submitUrl, 200, `answered without a request_id: ${JSON.stringify(submitted).slice(0, 200)}`, false)
  const statusUrl = submitted.status_url ?? `${opts.apiUrl}/v2/requests/${id}/status`
  const resultUrl = submitted.response_url ?? `${opts.apiUrl}/v2/requests/${id}`

  const done = await pollJob(statusUrl, async () => json((await get(statusUrl)).body) as { status: string },
    s => s.status === 'COMPLETED' ? 'done' : s.status === 'FAILED' ? 'failed' : 'pending', opts.retryDelay, signal)
  if (done.status === 'FAILED') {
    await get(resultUrl) // answers 422 {"status":"FAILED","error":"…"}, thrown with its message
    throw new HttpError('GET', statusUrl, 200, `job ${id} failed`, false)
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
