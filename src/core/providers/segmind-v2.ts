import type { JobJournal, JobRecord } from '../journal'
import type { ResolvedSpec } from '../spec'
import type { RetryPolicy } from './http'
import type { GenerateEvents, GenerateResult } from './types'
import { HttpError } from '../errors'
import { UnusablePicture } from '../verify'
import { toImage, withHint } from './answers'
import { json, pollJob } from './common'
import { request } from './http'
import { segmindBody } from './segmind'

export interface AsyncOptions extends RetryPolicy {
  apiUrl: string
  headers: Record<string, string>
}

/** The picture URLs of a finished job, in every documented shape: `output` (a URL or a list) or `images[]`. */
export function resultUrls(answer: any): string[] {
  const fromImages = Array.isArray(answer?.images) ? answer.images.map((i: any) => typeof i === 'string' ? i : i?.url) : []
  return [...[answer?.output].flat(), ...fromImages].filter((u: unknown): u is string => typeof u === 'string' && /^https?:\/\//.test(u))
}

/**
 * seedream-4.5 through Segmind's async API. `disabled` asks for independent pictures, so each is
 * a job of one (the API makes one picture per job then, whatever max_images says); `auto` is one
 * job for the whole series. Jobs run side by side; each picture is kept as it arrives.
 */
export async function segmindJobs(opts: AsyncOptions, spec: ResolvedSpec, refs: string[] | undefined, journal: JobJournal, signal: AbortSignal | undefined, events: GenerateEvents): Promise<GenerateResult> {
  const n = spec.picture.max_images
  const tasks = spec.picture.sequential_image_generation === 'auto' ? [Array.from({ length: n }, (_, i) => i)] : Array.from({ length: n }, (_, i) => [i])
  const result: GenerateResult = { images: [], requestIds: [] }
  const settled = await Promise.allSettled(tasks.map((slots, t) => runTask(opts, spec, refs, journal, t, slots, result, signal, events)))
  // Every job is waited for, so a failure of one loses none of the others' paid pictures.
  const failed = settled.find(s => s.status === 'rejected')
  if (failed)
    throw (failed as PromiseRejectedResult).reason
  return result
}

async function runTask(opts: AsyncOptions, spec: ResolvedSpec, refs: string[] | undefined, journal: JobJournal, t: number, slots: number[], result: GenerateResult, signal: AbortSignal | undefined, events: GenerateEvents): Promise<void> {
  const earlier = journal.job(t)
  if (earlier?.received !== undefined || slots.every(s => journal.kept.has(s)))
    return
  const call = (method: 'GET' | 'POST', url: string, body?: object) =>
    request({ method, url, headers: opts.headers, body: body && JSON.stringify(body), policy: opts, signal, onRetry: events.onRetry }).catch(withHint)
  const submit = async (): Promise<JobRecord> => {
    const url = `${opts.apiUrl}/v2/seedream-4.5`
    const answer = json((await call('POST', url, segmindBody(spec.picture, refs, slots.length))).body, 'POST', url)
    if (!answer.request_id)
      throw new HttpError('POST', url, 200, `answered without a request_id, so the job (which may have been billed) cannot be followed: ${JSON.stringify(answer)}`, { mayBeBilled: true })
    const job = { requestId: String(answer.request_id), submittedAt: new Date().toISOString() }
    await journal.record(t, job)
    return job
  }

  let job = earlier ?? await submit()
  if (earlier)
    events.info?.(`"${spec.name}": resuming Segmind job ${earlier.requestId}, submitted ${earlier.submittedAt}`)
  let done = await follow(opts, job, call, signal).catch(async (error) => {
    // Segmind keeps a job for an hour: one the journal named but the API no longer knows is lost.
    if (!earlier || !(error instanceof HttpError) || error.status !== 404)
      throw error
    events.warn?.(`"${spec.name}": Segmind no longer knows job ${earlier.requestId} (submitted ${earlier.submittedAt}; results are kept 1 hour), so its picture is lost; submitting a new job`)
    await journal.record(t, undefined)
    job = await submit()
    return follow(opts, job, call, signal)
  })
  if (done.status === 'FAILED') {
    await journal.record(t, undefined)
    await call('GET', resultUrlOf(opts, job)) // answers 422 {"status":"FAILED","error":"…"}, thrown with its message
    throw new HttpError('GET', resultUrlOf(opts, job), 200, `job ${job.requestId} failed (not billed)`)
  }
  done = json((await call('GET', resultUrlOf(opts, job))).body, 'GET', resultUrlOf(opts, job))
  const urls = resultUrls(done).slice(0, slots.length)
  for (const [i, url] of urls.entries()) {
    if (journal.kept.has(slots[i]!))
      continue
    // Result files are public URLs: fetched without the key, wherever they are.
    const res = await request({ method: 'GET', url, headers: {}, policy: opts, signal, onRetry: events.onRetry })
    await journal.keep(slots[i]!, toImage(res.body, url, res.headers.get('content-type'), job.requestId, 'GET')).catch((error) => {
      // The job is paid and still journaled: its result is fetched again next time, for free.
      throw error instanceof UnusablePicture ? new HttpError('GET', url, 200, `answered a picture that ${error.message}; job ${job.requestId} stays in the journal, so building again downloads it again without paying`) : error
    })
  }
  if (urls.length < slots.length)
    events.warn?.(`"${spec.name}": Segmind job ${job.requestId} returned ${urls.length} of the ${slots.length} picture(s) asked for; keeping ${urls.length}`)
  await journal.record(t, { ...job, received: urls.length })
  result.requestIds.push(job.requestId)
  const metrics = done.metrics ?? {}
  if (Number.isFinite(Number(metrics.cost)))
    result.cost = (result.cost ?? 0) + Number(metrics.cost)
  if (Number.isFinite(Number(metrics.remaining_credits)))
    result.remainingCredits = Number(metrics.remaining_credits)
}

/** A job's URLs are always built on the configured origin, so the key never goes anywhere else. */
const statusUrlOf = (opts: AsyncOptions, job: JobRecord) => `${opts.apiUrl}/v2/requests/${encodeURIComponent(job.requestId)}/status`
const resultUrlOf = (opts: AsyncOptions, job: JobRecord) => `${opts.apiUrl}/v2/requests/${encodeURIComponent(job.requestId)}`

function follow(opts: AsyncOptions, job: JobRecord, call: (method: 'GET', url: string) => Promise<{ body: Buffer }>, signal?: AbortSignal): Promise<{ status: string, metrics?: any }> {
  const url = statusUrlOf(opts, job)
  return pollJob(url, async () => json((await call('GET', url)).body, 'GET', url),
    s => s.status === 'COMPLETED' ? 'done' : s.status === 'FAILED' ? 'failed' : 'pending', opts.retryDelay, signal)
}
