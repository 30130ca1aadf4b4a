import type { HeaderReader } from './http'
import type { GeneratedImage, GenerateResult } from './types'
import { excerpt, head, HttpError } from '../../model/errors'
import { detectImageType } from '../images/image-type'

/** What a user can do about each status that is not worth retrying. */
const HINTS: Record<number, string> = {
  400: 'Segmind rejected the request; check the spec, and reword the prompt if it was refused by moderation.',
  401: 'The API key is missing or invalid: check SEGMIND_API_KEY (or the apiKey option).',
  403: 'The key is not allowed to use this model: check your Segmind plan.',
  404: 'Unknown model or endpoint: check the spec\'s model and SEGMIND_API_URL.',
  406: 'Insufficient credits: top up your Segmind account, or build with provider: \'placeholder\'.',
  422: 'Segmind could not validate the request: check the spec\'s fields.',
}

/**
 * An answer's bytes as an image, or an error saying what came instead. A 200 to a generation
 * (POST) was billed, so its error says the picture was paid for and lost.
 */
export function toImage(body: Buffer, url: string, contentType: string | null, requestId?: string, method: 'GET' | 'POST' = 'POST'): GeneratedImage {
  const format = detectImageType(body)
  if (!format) {
    const billed = method === 'POST' ? `; this call was billed${requestId ? ` (request ${requestId})` : ''} and its picture is lost` : ''
    throw new HttpError(method, url, 200, `answered with a body that is not an image (content-type ${contentType ?? 'none'}, ${body.length} bytes, starting "${excerpt(head(body, 60), 60)}")${billed}`, { mayBeBilled: method === 'POST' })
  }
  return { data: body, format }
}

/** Spend and balance as the host reports them (Segmind v1 headers), over what is known so far. */
export function readAccounting(headers: HeaderReader, so: Pick<GenerateResult, 'cost' | 'remainingCredits'>): Pick<GenerateResult, 'cost' | 'remainingCredits'> {
  const number = (name: string) => {
    const n = Number.parseFloat(headers.get(name) ?? '')
    return Number.isFinite(n) ? n : undefined
  }
  const cost = number('x-cost')
  return { cost: cost === undefined ? so.cost : (so.cost ?? 0) + cost, remainingCredits: number('x-remaining-credits') ?? so.remainingCredits }
}

export function withHint(error: unknown): never {
  if (error instanceof HttpError && error.status && HINTS[error.status])
    error.message += ` — ${HINTS[error.status]}`
  throw error
}
