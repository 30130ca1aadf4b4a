import type { PictureRequest } from '../spec'
import type { GeneratedImage, GenerateResult, Provider } from './types'
import { HttpError, SeedreamError } from '../errors'
import { detectImageType } from '../image-type'
import { request, type RetryPolicy } from './http'

export interface SegmindOptions extends RetryPolicy {
  apiKey?: string
  apiUrl: string
}

/** What a user can do about each status that is not worth retrying. */
const HINTS: Record<number, string> = {
  400: 'Segmind rejected the request; check the spec, and reword the prompt if it was refused by moderation.',
  401: 'The API key is missing or invalid: check SEGMIND_API_KEY (or the apiKey option).',
  403: 'The key is not allowed to use this model: check your Segmind plan.',
  404: 'Unknown model or endpoint: check the spec\'s model and SEGMIND_API_URL.',
  406: 'Insufficient credits: top up your Segmind account, or build with provider: \'placeholder\'.',
  422: 'Segmind could not validate the request: check the spec\'s fields.',
}

export const MISSING_KEY = 'SEGMIND_API_KEY is not set, so the missing image cannot be generated. '
  + 'Set it in the environment (export SEGMIND_API_KEY=…), or pass provider: \'placeholder\' to build with offline placeholders.'

/** The v1 body for one picture: Segmind's own field names, only the fields that apply. */
export function segmindBody(p: PictureRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    prompt: p.prompt,
    size: p.size,
    aspect_ratio: p.aspect_ratio,
    max_images: 1,
    sequential_image_generation: p.sequential_image_generation,
  }
  if (p.size === 'custom')
    Object.assign(body, { width: p.width, height: p.height })
  // Segmind's 4.0 sample sends one reference as a string, 4.5's sends an array.
  if (p.image_input)
    body.image_input = p.model === 'seedream-4' && p.image_input.length === 1 ? p.image_input[0] : p.image_input
  if (p.seed !== undefined)
    body.seed = p.seed
  return body
}

export function segmindProvider(opts: SegmindOptions): Provider {
  return {
    name: 'segmind',
    persistent: true,
    async generate(spec, signal, events) {
      if (!opts.apiKey)
        throw new SeedreamError(MISSING_KEY, { spec: spec.name, file: spec.file }, 'SEEDREAM_NO_KEY')
      const url = `${opts.apiUrl}/v1/${spec.picture.model}`
      const result: GenerateResult = { images: [], requestIds: [] }
      // v1 answers with one raw image, so several pictures are several calls: never more than asked.
      for (let i = 0; i < spec.picture.max_images; i++) {
        const res = await request({
          method: 'POST',
          url,
          headers: { 'x-api-key': opts.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify(segmindBody(spec.picture)),
          policy: opts,
          signal,
          secrets: [opts.apiKey],
          onRetry: events.onRetry,
        }).catch((error) => {
          if (error instanceof HttpError && error.status && HINTS[error.status])
            error.message += ` — ${HINTS[error.status]}`
          throw error
        })
        result.images.push(toImage(res.body, url, res.headers.get('content-type')))
        const id = res.headers.get('x-request-id')
        if (id)
          result.requestIds.push(id)
        const credits = Number.parseFloat(res.headers.get('x-remaining-credits') ?? '')
        if (Number.isFinite(credits))
          result.remainingCredits = credits
      }
      return result
    },
  }
}

function toImage(body: Buffer, url: string, contentType: string | null): GeneratedImage {
  const format = detectImageType(body)
  if (!format) {
    const start = body.subarray(0, 60).toString('utf8').replace(/\s+/g, ' ')
    throw new HttpError('POST', url, 200, `answered with a body that is not an image (content-type ${contentType ?? 'none'}, ${body.length} bytes, starting "${start}")`, false)
  }
  return { data: body, format }
}
