import type { Answer, Fault, LoggedRequest } from './base'
import { randomUUID } from 'node:crypto'
import { createLedger, createTracker, faultKind, money, startJsonServer } from './base'
import { render, segmindSize } from './picture'
import { createAsyncRoutes } from './segmind-async'

export type { Fault, LedgerEntry, LoggedRequest } from './base'
export { rateLimited, startForeignServer } from './base'

export interface SegmindServerOptions {
  /** Keys accepted in x-api-key. */
  keys?: string[]
  /** Latency added to every answer (a fault's own `latencyMs` replaces it). */
  latencyMs?: number
  /** Starting credits (10); a seedream-4 picture costs 0.035, a seedream-4.5 one 0.04. */
  credits?: number
  /** Draws the answer instead of the built-in picture (the benchmarks use photo-like sources). */
  picture?: (body: any) => Promise<Buffer>
  /**
   * Fixed windows of `windowMs`: generation requests (v1 POSTs, v2 submissions) beyond `perWindow`
   * in a window answer 429 `{"error":"Rate limit exceeded"}`, not billed, with
   * `x-rate-limit-reset-at-utc` (the window's end, ISO UTC), `retry-after` (whole seconds to it,
   * rounded up), both, or none ('reset-at' by default).
   */
  rateLimit?: { perWindow: number, windowMs: number, headers?: 'reset-at' | 'retry-after' | 'both' | 'none' }
}

/** Dollars a picture (Segmind's model pages). */
export const PRICE: Record<string, number> = { 'seedream-4': 0.035, 'seedream-4.5': 0.04 }
const SIZES = ['1K', '2K', '4K', 'custom']

/** Segmind's documented checks on a body; the message comes back as {"error": …}. */
function invalid(body: any): string | undefined {
  if (typeof body?.prompt !== 'string' || !body.prompt)
    return 'prompt is required'
  if (body.size !== undefined && !SIZES.includes(body.size))
    return 'size must be one of 1K, 2K, 4K, custom'
  if (body.size === 'custom' && ![body.width, body.height].every(n => Number.isFinite(n) && n >= 1024 && n <= 4096))
    return 'width and height must be between 1024 and 4096 with size custom'
  if (body.max_images !== undefined && !(body.max_images >= 1 && body.max_images <= 15))
    return 'max_images must be between 1 and 15'
  if (body.sequential_image_generation !== undefined && !['disabled', 'auto'].includes(body.sequential_image_generation))
    return 'sequential_image_generation must be disabled or auto'
  return undefined
}

/**
 * A full-size picture for a Segmind body: the size Segmind returns for it (see segmindSize). The
 * same body gives the same bytes; `variant` tells apart the pictures of a series or repeats.
 */
export function picture(body: any, model = 'seedream-4', variant = ''): Promise<Buffer> {
  const { width, height } = segmindSize(body, model)
  return render(width, height, `${model}|${body.prompt}|${body.seed ?? ''}|${variant}`)
}

const isGeneration = (r: LoggedRequest) => r.method === 'POST' && /^\/v[12]\/(?!requests\b)[\w.-]+$/.test(r.path)

/**
 * A loopback server speaking Segmind's protocols (v1, v2 async, asset upload, credits) with
 * full-size pictures, fault queues, a request log, a rate limit and a ledger of what the real API
 * would bill: a v1 POST bills once the picture is made and a 200 is started, whether or not the
 * client is still there or the body arrives whole; a v2 job bills when it reaches COMPLETED.
 */
export async function startSegmindServer(options: SegmindServerOptions = {}) {
  const keys = new Set(options.keys ?? ['test-key-0123456789'])
  const { bill, billing } = createLedger()
  const tracker = createTracker()
  const state = {
    credits: options.credits ?? 10,
    /** 429s sent by the rate limit (not those of scripted faults). */
    rateLimited: 0,
  }
  const base = { url: '' }
  // Repeats of the same request make different pictures, as the real API does.
  const made = new Map<string, number>()
  const draw = (body: any, model: string, index: number): Promise<Buffer> => {
    if (options.picture)
      return options.picture(index ? { ...body, prompt: `${body.prompt} #${index}` } : body)
    const key = `${model}|${JSON.stringify(body)}|${index}`
    const n = made.get(key) ?? 0
    made.set(key, n + 1)
    return picture(body, model, `${index}/${n}`)
  }
  const v2 = createAsyncRoutes({ keys, state, bill, track: tracker.track, picture: draw, price: PRICE, invalid, base })

  const limit = options.rateLimit
  const started = Date.now()
  let window = { index: -1, count: 0 }
  /** The 429 for a generation request over the limit, or undefined. */
  function overLimit(req: LoggedRequest): Answer | undefined {
    if (!limit || !isGeneration(req))
      return undefined
    const now = Date.now()
    const index = Math.floor((now - started) / limit.windowMs)
    if (index !== window.index)
      window = { index, count: 0 }
    if (++window.count <= limit.perWindow)
      return undefined
    const end = started + (index + 1) * limit.windowMs
    const how = limit.headers ?? 'reset-at'
    const headers: Record<string, string> = {}
    if (how === 'reset-at' || how === 'both')
      headers['x-rate-limit-reset-at-utc'] = new Date(end).toISOString()
    if (how === 'retry-after' || how === 'both')
      headers['retry-after'] = String(Math.ceil((end - now) / 1000))
    state.rateLimited++
    req.fault = 'rate-limit'
    return { status: 429, body: { error: 'Rate limit exceeded' }, headers }
  }

  /** v1 and credits. Their 2xx answers are not shaped by the fault: credits never, a picture by what is left once wrongSize has drawn it. */
  async function v1(req: LoggedRequest & { raw: Buffer }, fault: Fault | undefined): Promise<Answer> {
    const model = req.path.match(/^\/v1\/([\w.-]+)$/)?.[1]
    if (req.method === 'GET' && model === 'get-user-credits') {
      if (!keys.has(String(req.headers['x-api-key'] ?? '')))
        return { status: 401, body: { error: 'Unauthorized: invalid or missing API key' } }
      return { status: 200, body: { 'credits': state.credits, 'free-credits': 0.018 }, shape: {} }
    }
    if (req.method !== 'POST' || !model || !(model in PRICE))
      return { status: 404, body: { error: `Model not found: ${req.path}` } }
    if (!keys.has(String(req.headers['x-api-key'] ?? '')))
      return { status: 401, body: { error: 'Unauthorized: invalid or missing API key' } }
    const problem = typeof req.body === 'object' ? invalid(req.body) : 'body must be JSON'
    if (problem)
      return { status: 400, body: { error: problem } }
    const price = PRICE[model]!
    if (state.credits < price)
      return { status: 406, body: { error: 'Insufficient credits' } }
    // The picture is made (at the wrong size, if so scripted), billed, then sent as the fault says.
    const { wrongSize, ...rest } = fault ?? {}
    const image = wrongSize && !options.picture
      ? await render(wrongSize.width, wrongSize.height, `wrong size|${req.body.prompt}|${randomUUID()}`)
      : await draw(req.body, model, 0)
    const id = randomUUID()
    bill({ id, path: req.path, model, price, images: [image], fault: faultKind(fault) })
    state.credits = money(state.credits - price)
    return {
      status: 200,
      body: image,
      headers: {
        'content-type': 'image/jpeg',
        'x-remaining-credits': String(state.credits),
        'x-request-id': id,
        'x-cost': String(price),
        'x-generation-time': '31.2',
        'x-seed-value': String(req.body.seed ?? 424242),
      },
      shape: rest,
    }
  }

  const server = await startJsonServer(async (req, _, fault) => await v2.handle(req) ?? v1(req, fault), {
    state,
    isGeneration,
    latencyMs: options.latencyMs,
    intercept: overLimit,
    tracker,
  })
  base.url = server.url
  return {
    ...server,
    ...billing,
    /** Requests that reached a model endpoint (v1 calls and v2 submissions). */
    generations: () => server.state.requests.filter(isGeneration),
    /** The async API: jobs, uploads, settings, complete(id). */
    v2,
  }
}

export type SegmindServer = Awaited<ReturnType<typeof startSegmindServer>>
