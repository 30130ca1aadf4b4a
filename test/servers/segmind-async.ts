import type { Answer, createLedger, LoggedRequest } from './base'
import { setTimeout as sleep } from 'node:timers/promises'
import { money } from './base'
import { sha256 } from './picture'

interface Context {
  keys: Set<string>
  state: { credits: number }
  bill: ReturnType<typeof createLedger>['bill']
  track: <T>(p: Promise<T>) => Promise<T>
  /** The picture number `index` of a job's body. */
  picture: (body: any, model: string, index: number) => Promise<Buffer>
  price: Record<string, number>
  /** Segmind's checks on a body; the message of a 400. */
  invalid: (body: any) => string | undefined
  base: { url: string }
}

type JobState = 'QUEUED' | 'PROCESSING' | 'COMPLETED' | 'FAILED'

export interface Job {
  id: string
  path: string
  model: string
  body: any
  /** Status polls so far. */
  polls: number
  /** Decided at submission (from settings.failNext). */
  fail: boolean
  state: JobState
  submittedAt: number
  /** When it reached COMPLETED or FAILED; results expire `expireAfterMs` later. */
  endedAt?: number
  images?: Buffer[]
  cost?: number
  finishing?: Promise<void>
}

export interface AsyncSettings {
  /** Status polls answered QUEUED, then PROCESSING, before a job ends (2). */
  pollsBeforeDone: number
  /** When set, a job also ends this long after its submission, polled or not (it bills then). */
  completeAfterMs?: number
  /** The next submitted job FAILs (422 `{"status":"FAILED","error":…}` from status and result); not billed. */
  failNext: boolean
  /** How the result endpoint lists the pictures: `output` as an array ('array', the default) or as one string, the first picture's URL ('string'; the others of a series are billed but unreachable), or `images: [{url, content_type, file_name, file_size}]` without `output` ('images'). */
  resultShape: 'array' | 'string' | 'images'
  /** @deprecated `resultShape: 'string'`. */
  outputAsString?: boolean
  /** A series (`sequential_image_generation: 'auto'`) delivers this many fewer pictures than max_images (at least one). */
  seriesShort?: number
  /** Status and result answer 404 `{"error":"Request not found"}` this long after the job ended (1 hour). */
  expireAfterMs: number
  /** A base URL: the submit answer's poll_url/status_url/response_url point there instead of this server. */
  foreignJobUrls?: string
}

const FAILED = 'The request failed because the output image may contain sensitive information.'
const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/jpg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' }
const unauthorized: Answer = { status: 401, body: { error: 'Unauthorized: invalid or missing API key' } }
const notFound: Answer = { status: 404, body: { error: 'Request not found' } }

/** How many pictures a job makes: max_images applies to a series ('auto') only. */
export function picturesOf(body: any, seriesShort = 0): number {
  if (body?.sequential_image_generation !== 'auto')
    return 1
  return Math.max(1, (Number(body.max_images) || 1) - seriesShort)
}

/**
 * Segmind's async API (v2) and asset upload on the loopback server. Only `/v2/seedream-4.5`
 * exists. A job is QUEUED, then PROCESSING as its status is polled, then COMPLETED (or FAILED);
 * it bills when it reaches COMPLETED, each picture, downloaded or not. Jobs live in the server's
 * memory, so a new client process can resume one by polling its status.
 */
export function createAsyncRoutes(ctx: Context) {
  const jobs = new Map<string, Job>()
  const uploads: Array<{ bytes: number, sha256: string, mime: string, form: 'data_urls' | 'multipart' }> = []
  const settings: AsyncSettings = { pollsBeforeDone: 2, failNext: false, resultShape: 'array', expireAfterMs: 3_600_000 }
  let next = 0

  const expired = (job: Job) => job.endedAt !== undefined && Date.now() - job.endedAt >= settings.expireAfterMs
  const metrics = (job: Job) => ({ cost: job.cost ?? 0, remaining_credits: ctx.state.credits })

  /** Ends a job now: FAILED, or COMPLETED with its pictures made and billed. */
  function finish(job: Job): Promise<void> {
    job.finishing ??= (async () => {
      job.state = 'PROCESSING'
      if (job.fail) {
        job.state = 'FAILED'
        job.endedAt = Date.now()
        return
      }
      const count = picturesOf(job.body, settings.seriesShort)
      const images = await Promise.all(Array.from({ length: count }, (_, i) => ctx.picture(job.body, job.model, i)))
      const entry = ctx.bill({ id: job.id, path: job.path, model: job.model, price: ctx.price[job.model]!, images })
      ctx.state.credits = money(ctx.state.credits - entry.cost)
      job.images = images
      job.cost = entry.cost
      job.state = 'COMPLETED'
      job.endedAt = Date.now()
    })()
    return job.finishing
  }

  function result(job: Job): Answer {
    const images = job.images!
    const urls = images.map((_, i) => `${ctx.base.url}/files/${job.id}/${i}.jpg`)
    const shape = settings.outputAsString ? 'string' : settings.resultShape
    if (shape === 'images')
      return { status: 200, body: { status: 'COMPLETED', images: urls.map((url, i) => ({ url, content_type: 'image/jpeg', file_name: `${i}.jpg`, file_size: images[i]!.length })), metrics: metrics(job) } }
    return { status: 200, body: { status: 'COMPLETED', output: shape === 'string' ? urls[0] : urls, metrics: metrics(job) } }
  }

  async function upload(req: LoggedRequest & { raw: Buffer }): Promise<Answer> {
    const urlOf = (bytes: Buffer, mime: string, form: 'data_urls' | 'multipart') => {
      const hash = sha256(bytes)
      uploads.push({ bytes: bytes.length, sha256: hash, mime, form })
      return `https://assets.example.com/${hash.slice(0, 12)}.${EXT[mime] ?? 'bin'}`
    }
    if (Array.isArray(req.body?.data_urls)) {
      const decoded = req.body.data_urls.map((u: unknown) => /^data:([\w/+.-]+)?(;base64)?,(.*)$/s.exec(String(u)))
      if (!decoded.length || decoded.some((m: unknown) => !m))
        return { status: 400, body: { error: 'data_urls must be data: URLs' } }
      return { status: 200, body: { urls: decoded.map((m: RegExpExecArray) =>
        urlOf(m[2] ? Buffer.from(m[3]!, 'base64') : Buffer.from(decodeURIComponent(m[3]!)), m[1] ?? 'text/plain', 'data_urls')) } }
    }
    const type = String(req.headers['content-type'] ?? '')
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://upload.local/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(req.raw) }).formData()
      const file = form.get('file')
      if (!file || typeof file === 'string')
        return { status: 400, body: { error: 'file is required' } }
      return { status: 200, body: { file_urls: [urlOf(Buffer.from(await file.arrayBuffer()), file.type, 'multipart')] } }
    }
    return { status: 400, body: { error: 'send JSON {"data_urls": [...]} or a multipart file' } }
  }

  /** The answer for a v2, file or upload request, or undefined when the path is not one of these. */
  async function handle(req: LoggedRequest & { raw: Buffer }): Promise<Answer | undefined> {
    const url = req.path
    const file = url.match(/^\/files\/([\w-]+)\/(\d+)\.jpg$/)
    if (req.method === 'GET' && file) {
      const image = jobs.get(file[1]!)?.images?.[Number(file[2])]
      return image ? { status: 200, body: image } : { status: 404, body: { error: 'no such file' } }
    }
    if (!url.startsWith('/v2/') && url !== '/upload-asset')
      return undefined
    if (!ctx.keys.has(String(req.headers['x-api-key'] ?? '')))
      return unauthorized
    if (url === '/upload-asset')
      return req.method === 'POST' ? upload(req) : { status: 405, body: { error: 'Method not allowed' } }

    const model = url.match(/^\/v2\/([\w.-]+)$/)?.[1]
    if (model && model !== 'requests') {
      if (req.method !== 'POST' || model !== 'seedream-4.5')
        return { status: 404, body: { error: `Model not found: ${url}` } }
      const problem = typeof req.body === 'object' ? ctx.invalid(req.body) : 'body must be JSON'
      if (problem)
        return { status: 400, body: { error: problem } }
      if (ctx.state.credits < ctx.price[model]! * picturesOf(req.body, settings.seriesShort))
        return { status: 406, body: { error: 'Insufficient credits' } }
      const job: Job = { id: `job-${++next}`, path: url, model, body: req.body, polls: 0, fail: settings.failNext, state: 'QUEUED', submittedAt: Date.now() }
      settings.failNext = false
      jobs.set(job.id, job)
      if (settings.completeAfterMs !== undefined)
        void ctx.track(sleep(settings.completeAfterMs).then(() => finish(job)))
      const at = `${settings.foreignJobUrls ?? ctx.base.url}/v2/requests/${job.id}`
      return { status: 200, body: { request_id: job.id, status: 'QUEUED', poll_url: `${at}/status`, status_url: `${at}/status`, response_url: at } }
    }

    const match = url.match(/^\/v2\/requests\/([\w-]+)(\/status)?$/)
    const job = match && req.method === 'GET' ? jobs.get(match[1]!) : undefined
    if (!job || expired(job))
      return notFound
    if (match![2] && job.state !== 'COMPLETED' && job.state !== 'FAILED') {
      job.polls++
      if (job.polls <= settings.pollsBeforeDone)
        job.state = job.polls === 1 ? 'QUEUED' : 'PROCESSING'
      else
        await finish(job)
    }
    if (job.state === 'FAILED')
      return { status: 422, body: { status: 'FAILED', request_id: job.id, error: FAILED } }
    if (match![2] || job.state !== 'COMPLETED')
      return { status: 200, body: { status: job.state, request_id: job.id, metrics: metrics(job) } }
    return result(job)
  }

  return {
    handle,
    jobs,
    uploads,
    settings,
    /** Ends a job now (as if its time had come), polled or not: it bills, or FAILs if it was to. */
    complete: (id: string) => finish(jobs.get(id)!),
  }
}
