import type { Reference } from '../references'
import type { PictureRequest, ResolvedSpec } from '../spec'
import type { GenerateResult, Provider } from './types'
import type { RetryPolicy } from './http'
import { readFile } from 'node:fs/promises'
import { HttpError, SeedreamError } from '../errors'
import { toImage, withHint } from './answers'
import { request } from './http'
import { generateAsync } from './segmind-v2'

export interface SegmindOptions extends RetryPolicy {
  apiKey?: string
  apiUrl: string
  /** Where local reference images are uploaded (Segmind's asset upload endpoint). */
  uploadUrl: string
}

export const MISSING_KEY = 'SEGMIND_API_KEY is not set, so the missing image cannot be generated. '
  + 'Set it in the environment (export SEGMIND_API_KEY=…), or pass provider: \'placeholder\' to build with offline placeholders.'

/** Segmind's own field names, only the fields that apply; references already as URLs. */
export function segmindBody(p: PictureRequest, images: string[] | undefined, maxImages: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    prompt: p.prompt,
    size: p.size,
    aspect_ratio: p.aspect_ratio,
    max_images: maxImages,
    sequential_image_generation: p.sequential_image_generation,
  }
  if (p.size === 'custom')
    Object.assign(body, { width: p.width, height: p.height })
  // Segmind's 4.0 sample sends one reference as a string, 4.5's sends an array.
  if (images)
    body.image_input = p.model === 'seedream-4' && images.length === 1 ? images[0] : images
  if (p.seed !== undefined)
    body.seed = p.seed
  return body
}

export function segmindProvider(opts: SegmindOptions): Provider {
  const headers = () => ({ 'x-api-key': opts.apiKey!, 'content-type': 'application/json' })
  const call = (url: string, body: unknown, signal?: AbortSignal, onRetry?: Parameters<typeof request>[0]['onRetry']) =>
    request({ method: 'POST', url, headers: headers(), body: JSON.stringify(body), policy: opts, signal, secrets: [opts.apiKey], onRetry }).catch(withHint)

  /** Local references go through Segmind's asset upload, which answers with their URL. */
  const uploaded = new Map<string, Promise<string>>()
  function urlOf(ref: Reference, signal?: AbortSignal): Promise<string> {
    if (ref.kind === 'url')
      return Promise.resolve(ref.url)
    if (!uploaded.has(ref.sha256))
      uploaded.set(ref.sha256, upload(ref, signal))
    return uploaded.get(ref.sha256)!
  }
  async function upload(ref: Extract<Reference, { kind: 'file' }>, signal?: AbortSignal): Promise<string> {
    const form = new FormData()
    form.append('file', new Blob([await readFile(ref.file)], { type: ref.mime }), ref.rel.split('/').pop())
    const res = await request({ method: 'POST', url: opts.uploadUrl, headers: { 'x-api-key': opts.apiKey! }, body: form, policy: opts, signal, secrets: [opts.apiKey] }).catch(withHint)
    const text = res.body.toString('utf8').trim()
    let json: any
    try { json = JSON.parse(text) } catch { json = text }
    const url = [json, json?.url, json?.file_url, json?.fileUrl, json?.data?.url, json?.urls?.[0], json?.file_urls?.[0]].find(v => typeof v === 'string' && /^https?:\/\//.test(v))
    if (!url)
      throw new HttpError('POST', opts.uploadUrl, res.status, `answered the upload of ${ref.rel} without a URL: ${text.slice(0, 200)}`, false)
    return url
  }

  return {
    name: 'segmind',
    persistent: true,
    assertReady(spec) {
      if (!opts.apiKey)
        throw new SeedreamError(MISSING_KEY, { spec: spec.name, file: spec.file }, 'SEEDREAM_NO_KEY')
    },
    async generate(spec: ResolvedSpec, signal, events): Promise<GenerateResult> {
      const refs = spec.references && await Promise.all(spec.references.map(r => urlOf(r, signal)))
      const p = spec.picture
      // Several pictures of 4.5 come from one v2 job, which keeps a sequential series coherent;
      // v1 answers with one raw image, so 4.0's several pictures are several calls.
      if (p.max_images > 1 && p.model === 'seedream-4.5')
        return generateAsync({ ...opts, headers: headers() }, segmindBody(p, refs, p.max_images), p.max_images, signal, events)
      const url = `${opts.apiUrl}/v1/${p.model}`
      const result: GenerateResult = { images: [], requestIds: [] }
      for (let i = 0; i < p.max_images; i++) {
        const res = await call(url, segmindBody(p, refs, 1), signal, events.onRetry)
        result.images.push(toImage(res.body, url, res.headers.get('content-type')))
        const id = res.headers.get('x-request-id')
        if (id)
          result.requestIds.push(id)
        const credits = Number.parseFloat(res.headers.get('x-remaining-credits') ?? '')
        if (Number.isFinite(credits))
          result.remainingCredits = credits
        const seed = Number.parseInt(res.headers.get('x-seed-value') ?? '', 10)
        if (Number.isFinite(seed))
          result.seed = seed
      }
      return result
    },
  }
}
