import type { GeneratedImage } from './types'
import { HttpError } from '../errors'
import { detectImageType } from '../image-type'

/** What a user can do about each status that is not worth retrying. */
const HINTS: Record<number, string> = {
  400: 'Segmind rejected the request; check the spec, and reword the prompt if it was refused by moderation.',
  401: 'The API key is missing or invalid: check SEGMIND_API_KEY (or the apiKey option).',
  403: 'The key is not allowed to use this model: check your Segmind plan.',
  404: 'Unknown model or endpoint: check the spec\'s model and SEGMIND_API_URL.',
  406: 'Insufficient credits: top up your Segmind account, or build with provider: \'placeholder\'.',
  422: 'Segmind could not validate the request: check the spec\'s fields.',
}

/** An answer's bytes as an image, or an error saying what came instead. */
export function toImage(body: Buffer, url: string, contentType: string | null, method = 'POST'): GeneratedImage {
  const format = detectImageType(body)
  if (!format) {
    const start = body.subarray(0, 60).toString('utf8').replace(/\s+/g, ' ')
    throw new HttpError(method, url, 200, `answered with a body that is not an image (content-type ${contentType ?? 'none'}, ${body.length} bytes, starting "${start}")`, false)
  }
  return { data: body, format }
}

export function withHint(error: unknown): never {
  if (error instanceof HttpError && error.status && HINTS[error.status])
    error.message += ` — ${HINTS[error.status]}`
  throw error
}
