import type { JobJournal } from '../store/journal'
import type { Reference } from '../references'
import type { ResolvedSpec } from '../../model/spec'
import type { RetryPolicy } from './http'
import type { GenerateEvents, GenerateResult, Provider } from './types'
import { HttpError, SeedreamError } from '../../model/errors'
import { dataUri } from '../references'
import { readAccounting, toImage, withHint } from './answers'
import { keptImages } from './common'
import { request } from './http'
import { segmindBody } from './segmind-body'
import { segmindJobs } from './segmind-v2'

export interface SegmindOptions extends RetryPolicy {
  apiKey?: string
  apiUrl: string
  /** Where local reference images are uploaded (Segmind's asset upload endpoint). */
  uploadUrl: string
}

export const MISSING_KEY = 'SEGMIND_API_KEY is not set, so the missing image cannot be generated. '
  + 'Set it in the environment (export SEGMIND_API_KEY=…), or pass provider: \'placeholder\' to build with offline placeholders.'

/** The URL in an upload's answer: `{"urls": […]}` as documented, or the SDK's `file_urls`. */
function uploadedUrl(text: string): string | undefined {
  let json: any
  try { json = JSON.parse(text) } catch { return undefined }
  return [json?.urls?.[0], json?.file_urls?.[0], json?.url].find(v => typeof v === 'string' && /^https?:\/\//.test(v))
}

/**
 * Segmind. seedream-4.5 goes through the async API (v2), whose jobs are journaled before any wait
 * and resumed, never re-submitted; seedream-4 has only the synchronous v1 call, one per picture,
 * each kept as it arrives so a failure later in a series loses nothing already paid for.
 */
export function segmindProvider(opts: SegmindOptions): Provider {
  const headers = () => ({ 'x-api-key': opts.apiKey!, 'content-type': 'application/json' })
  const post = (url: string, body: unknown, signal?: AbortSignal, onRetry?: GenerateEvents['onRetry']) =>
    request({ method: 'POST', url, headers: headers(), body: JSON.stringify(body), policy: opts, signal, onRetry }).catch(withHint)

  /** Local references go through Segmind's asset upload, once per file per build. */
  const uploaded = new Map<string, Promise<string>>()
  function urlOf(ref: Reference, signal?: AbortSignal): Promise<string> {
    if (ref.kind === 'url')
      return Promise.resolve(ref.url)
    if (!uploaded.has(ref.sha256))
      uploaded.set(ref.sha256, upload(ref, signal))
    return uploaded.get(ref.sha256)!
  }
  async function upload(ref: Extract<Reference, { kind: 'file' }>, signal?: AbortSignal): Promise<string> {
    const res = await post(opts.uploadUrl, { data_urls: [await dataUri(ref)] }, signal)
    const text = res.body.toString('utf8')
    const url = uploadedUrl(text)
    if (!url)
      throw new HttpError('POST', opts.uploadUrl, res.status, `answered the upload of ${ref.rel} without a URL: ${text}`)
    return url
  }

  /** seedream-4 through v1: one call per picture not kept yet; a 200 is billed, so its picture is kept at once. */
  async function v1(spec: ResolvedSpec, refs: () => Promise<string[] | undefined>, journal: JobJournal, signal: AbortSignal | undefined, events: GenerateEvents): Promise<GenerateResult> {
    const url = `${opts.apiUrl}/v1/${spec.picture.model}`
    const result: GenerateResult = { images: [], requestIds: [] }
    for (let slot = 0; slot < spec.picture.max_images; slot++) {
      if (journal.kept.has(slot))
        continue
      const res = await post(url, segmindBody(spec.picture, await refs(), 1), signal, events.onRetry)
      const id = res.headers.get('x-request-id') ?? undefined
      Object.assign(result, readAccounting(res.headers, result))
      await journal.keep(slot, toImage(res.body, url, res.headers.get('content-type'), id))
      if (id)
        result.requestIds.push(id)
      const seed = Number.parseInt(res.headers.get('x-seed-value') ?? '', 10)
      if (Number.isFinite(seed))
        result.seed = seed
    }
    return result
  }

  return {
    name: 'segmind',
    persistent: true,
    assertReady(spec) {
      if (!opts.apiKey)
        throw new SeedreamError(MISSING_KEY, { spec: spec.name, file: spec.file }, 'SEEDREAM_NO_KEY')
    },
    async generate(spec, signal, events): Promise<GenerateResult> {
      const journal = events.journal!
      // Uploaded only when a call must be made: resuming a paid job needs no reference.
      let uploads: Promise<string[] | undefined> | undefined
      const refs = () => (uploads ??= spec.references ? Promise.all(spec.references.map(r => urlOf(r, signal))) : Promise.resolve(undefined))
      const result = spec.picture.model === 'seedream-4.5'
        ? await segmindJobs({ ...opts, headers: headers() }, spec, refs, journal, signal, events)
        : await v1(spec, refs, journal, signal, events)
      return { ...result, images: keptImages(journal) }
    },
    async balance(signal) {
      const res = await request({ method: 'GET', url: `${opts.apiUrl}/v1/get-user-credits`, headers: headers(), policy: opts, signal }).catch(withHint)
      const json = JSON.parse(res.body.toString('utf8'))
      return { credits: Number(json.credits ?? 0), freeCredits: Number(json['free-credits'] ?? 0) }
    },
  }
}
