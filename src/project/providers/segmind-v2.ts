import type { JobJournal, JobRecord } from '../store/journal'
import type { ResolvedSpec } from '../../model/spec'
import type { RetryPolicy } from './http'
import type { GenerateEvents, GenerateResult } from './types'
import { HttpError } from '../../model/errors'
import { UnusablePicture } from '../generation/verify'
import { withHint } from './answers'
import { callSlots, download, json, pollJob } from './common'
import { request } from './http'
import { segmindBody } from './segmind-body'

export interface AsyncOptions extends RetryPolicy {
  apiUrl: string
  headers: Record<string, string>
}

/** What every job of one spec shares. */
interface Jobs {
  opts: AsyncOptions
  spec: ResolvedSpec
  /** Reference URLs, uploaded only when a job must be submitted. */
  refs: () => Promise<string[] | undefined>
  journal: JobJournal
  signal?: AbortSignal
  events: GenerateEvents
  result: GenerateResult
}

/**
 * The picture URLs of a finished job, in either documented shape: `images[]` when it lists any,
 * else `output` (one URL or a list). Never both: one picture must not fill two slots.
 */
export function resultUrls(answer: any): string[] {
  const isUrl = (u: unknown): u is string => typeof u === 'string' && /^https?:\/\//.test(u)
  const images = (Array.isArray(answer?.images) ? answer.images : []).map((i: any) => typeof i === 'string' ? i : i?.url).filter(isUrl)
  return [...new Set<string>(images.length ? images : [answer?.output].flat().filter(isUrl))]
}

/**
 * seedream-4.5 through Segmind's async API. `disabled` asks for independent pictures, so each is
 * a job of one (the API makes one picture per job then, whatever max_images says); `auto` is one
 * job for the whole series. Jobs run side by side; each picture is kept as it arrives, and every
 * job is waited for, so a failure of one loses none of the others' paid pictures.
 */
export async function segmindJobs(opts: AsyncOptions, spec: ResolvedSpec, refs: Jobs['refs'], journal: JobJournal, signal: AbortSignal | undefined, events: GenerateEvents): Promise<GenerateResult> {
  const tasks = callSlots(spec.picture)
  const jobs: Jobs = { opts, spec, refs, journal, signal, events, result: { images: [], requestIds: [] } }
  const failures = (await Promise.allSettled(tasks.map((slots, t) => runTask(jobs, t, slots))))
    .flatMap(s => s.status === 'rejected' ? [s.reason] : [])
  if (failures.length) {
    // A job that may have been billed outweighs one that was not: the budget and the message follow it.
    const first = failures.find(e => e instanceof HttpError && e.mayBeBilled) ?? failures[0]
    if (failures.length > 1)
      first.message += ` (and ${failures.length - 1} more of its ${tasks.length} job(s) failed)`
    throw first
  }
  return jobs.result
}

const call = (jobs: Jobs, method: 'GET' | 'POST', url: string, body?: object) =>
  request({ method, url, headers: jobs.opts.headers, body: body && JSON.stringify(body), policy: jobs.opts, signal: jobs.signal, onRetry: jobs.events.onRetry }).catch(withHint)

/** Submits one job and journals its id before anything waits on it. */
async function submit(jobs: Jobs, t: number, count: number): Promise<JobRecord> {
  const url = `${jobs.opts.apiUrl}/v2/seedream-4.5`
  const answer = json((await call(jobs, 'POST', url, segmindBody(jobs.spec.picture, await jobs.refs(), count))).body, 'POST', url)
  if (!answer.request_id)
    throw new HttpError('POST', url, 200, `answered without a request_id, so the job (which may have been billed) cannot be followed: ${JSON.stringify(answer)}`, { mayBeBilled: true })
  const job = { requestId: String(answer.request_id), submittedAt: new Date().toISOString() }
  await jobs.journal.record(t, job)
  return job
}

async function runTask(jobs: Jobs, t: number, slots: number[]): Promise<void> {
  const { journal, spec, events } = jobs
  const earlier = journal.job(t)
  const missing = slots.filter(s => !journal.kept.has(s))
  // A job that gave fewer pictures than asked is done once those are kept.
  if (!missing.length || (earlier?.received !== undefined && slots.slice(0, earlier.received).every(s => journal.kept.has(s))))
    return
  let job = earlier ?? await submit(jobs, t, slots.length)
  if (earlier)
    events.info?.(`"${spec.name}": resuming Segmind job ${earlier.requestId}, submitted ${earlier.submittedAt}`)
  const done = await finished(jobs, t, job).catch(async (error) => {
    // Segmind keeps a job for an hour: one the journal named but the API no longer knows is lost.
    if (!earlier || !(error instanceof HttpError) || error.status !== 404)
      throw error
    events.warn?.(`"${spec.name}": Segmind no longer knows job ${earlier.requestId} (submitted ${earlier.submittedAt}; results are kept 1 hour), so its picture is lost; submitting a new job`)
    await journal.record(t, undefined)
    job = await submit(jobs, t, slots.length)
    return finished(jobs, t, job)
  })
  const urls = resultUrls(done).slice(0, slots.length)
  if (!urls.length)
    throw new HttpError('GET', resultUrlOf(jobs.opts, job), 200, `job ${job.requestId} completed (and was billed) without a picture URL in its answer; it stays in the journal: ${JSON.stringify(done)}`, { mayBeBilled: true })
  for (const [i, url] of urls.entries()) {
    if (!journal.kept.has(slots[i]!))
      await keepResult(jobs, job, slots[i]!, url)
  }
  if (urls.length < slots.length)
    events.warn?.(`"${spec.name}": Segmind job ${job.requestId} returned ${urls.length} of the ${slots.length} picture(s) asked for; keeping ${urls.length}`)
  await journal.record(t, { ...job, received: urls.length })
  account(jobs.result, job, done.metrics)
}

/** Fetches one result file (public: without the key, outside the API's rate gate) and keeps it. */
async function keepResult(jobs: Jobs, job: JobRecord, slot: number, url: string): Promise<void> {
  const [image] = await download([url], jobs.opts, jobs.signal, jobs.events)
  await jobs.journal.keep(slot, image!).catch((error) => {
    // The job is paid and still journaled: its result is fetched again next time, for free.
    throw error instanceof UnusablePicture ? new HttpError('GET', url, 200, `answered a picture that ${error.message}; job ${job.requestId} stays in the journal, so building again downloads it again without paying`) : error
  })
}

function account(result: GenerateResult, job: JobRecord, metrics: any = {}): void {
  result.requestIds.push(job.requestId)
  if (Number.isFinite(Number(metrics.cost)))
    result.cost = (result.cost ?? 0) + Number(metrics.cost)
  if (Number.isFinite(Number(metrics.remaining_credits)))
    result.remainingCredits = Number(metrics.remaining_credits)
}

/** A job's URLs are always built on the configured origin, so the key never goes anywhere else. */
const statusUrlOf = (opts: AsyncOptions, job: JobRecord) => `${opts.apiUrl}/v2/requests/${encodeURIComponent(job.requestId)}/status`
const resultUrlOf = (opts: AsyncOptions, job: JobRecord) => `${opts.apiUrl}/v2/requests/${encodeURIComponent(job.requestId)}`

/**
 * Polls a job to its end and reads its result. A FAILED job (status or result answering 422
 * `{"status":"FAILED","error":…}`) was not billed: it leaves the journal, with Segmind's message.
 */
async function finished(jobs: Jobs, t: number, job: JobRecord): Promise<any> {
  const failed = async (error?: unknown) => {
    await jobs.journal.record(t, undefined)
    const reason = error instanceof HttpError ? error.detail : `job ${job.requestId} failed`
    throw new HttpError('GET', statusUrlOf(jobs.opts, job), 422, `${reason} (job ${job.requestId} FAILED; not billed)`)
  }
  const isFailure = (error: unknown) => error instanceof HttpError && error.status === 422
  const url = statusUrlOf(jobs.opts, job)
  const state = await pollJob(url, async () => json((await call(jobs, 'GET', url)).body, 'GET', url),
    s => s.status === 'COMPLETED' ? 'done' : s.status === 'FAILED' ? 'failed' : 'pending', jobs.opts.retryDelay, jobs.signal)
    .catch(error => isFailure(error) ? failed(error) : Promise.reject(error))
  const result = await call(jobs, 'GET', resultUrlOf(jobs.opts, job)).catch(error => isFailure(error) ? failed(error) : Promise.reject(error))
  if (state.status === 'FAILED')
    await failed()
  return json(result.body, 'GET', resultUrlOf(jobs.opts, job))
}
