import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import sharp from 'sharp'
import { createAsyncRoutes } from './segmind-async'

/** One scripted answer, taken from the queue before the normal handling of a request. */
export interface Fault {
  status?: number
  /** JSON body (an object) or raw text. */
  body?: unknown
  headers?: Record<string, string>
  /** Destroy the socket without answering. */
  reset?: boolean
  /** Answer 200 with a Content-Length larger than the bytes sent, then close. */
  truncate?: boolean
  /** Answer 200 with this text body instead of an image. */
  notImage?: string
  latencyMs?: number
}

export interface LoggedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: any
  /** When it arrived and when its answer was sent (ms since the epoch). */
  at?: number
  done?: number
}

export interface SegmindServerOptions {
  /** Keys accepted in x-api-key. */
  keys?: string[]
  /** Latency added to every answer. */
  latencyMs?: number
  /** Starting credits; each picture costs 0.04. */
  credits?: number
  /** Divides the picture's sides, to keep tests fast. */
  scale?: number
  /** Draws the answer instead of the built-in gradient (the benchmarks use photo-like sources). */
  picture?: (body: any) => Promise<Buffer>
}

const MODELS = new Set(['seedream-4', 'seedream-4.5'])
const BASE: Record<string, number> = { '1K': 1024, '2K': 2048, '4K': 4096 }

function sizeOf(body: any, scale: number): { width: number, height: number } {
  let width = 2048
  let height = 2048
  if (body.size === 'custom') {
    width = body.width
    height = body.height
  }
  else {
    const base = BASE[body.size ?? '2K']!
    const [a, b] = /^\d+:\d+$/.test(body.aspect_ratio ?? '') ? body.aspect_ratio.split(':').map(Number) : [1, 1]
    width = a >= b ? base : Math.round((base * a) / b)
    height = a >= b ? Math.round((base * b) / a) : base
  }
  return { width: Math.round(width / scale), height: Math.round(height / scale) }
}

/** Segmind's documented checks on a v1 body; the message comes back as {"error": …}. */
function invalid(body: any): string | undefined {
  if (typeof body?.prompt !== 'string' || !body.prompt)
    return 'prompt is required'
  if (body.size && !['1K', '2K', '4K', 'custom'].includes(body.size))
    return `size must be one of 1K, 2K, 4K, custom`
  if (body.max_images !== undefined && !(body.max_images >= 1 && body.max_images <= 15))
    return 'max_images must be between 1 and 15'
  return undefined
}

export async function picture(body: any, scale: number): Promise<Buffer> {
  const { width, height } = sizeOf(body, scale)
  const hue = [...String(body.prompt)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="hsl(${hue},60%,50%)"/><stop offset="1" stop-color="hsl(${(hue + 90) % 360},60%,30%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="50%" cy="50%" r="25%" fill="#fff" fill-opacity="0.5"/></svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer()
}

/** A loopback server speaking Segmind's v1 protocol, with a queue of faults and a request log. */
export async function startSegmindServer(options: SegmindServerOptions = {}) {
  const keys = new Set(options.keys ?? ['test-key-0123456789'])
  const state = { credits: options.credits ?? 10, faults: [] as Fault[], requests: [] as LoggedRequest[] }
  // Declared before the server, assigned once it listens: the async routes build URLs on it.
  let v2: ReturnType<typeof createAsyncRoutes>
  const scale = options.scale ?? 8

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers })
    res.end(text)
  }

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const bytes = Buffer.concat(chunks)
    const raw = bytes.toString('utf8')
    let body: any
    try {
      body = raw ? JSON.parse(raw) : undefined
    }
    catch { body = raw }
    const logged: LoggedRequest = { method: req.method!, path: req.url!, headers: req.headers, body, at: Date.now() }
    state.requests.push(logged)
    res.on('finish', () => { logged.done = Date.now() })
    const fault = state.faults.shift()
    const latency = fault?.latencyMs ?? options.latencyMs ?? 0
    if (latency)
      await sleep(latency)
    if (fault?.reset)
      return req.socket.destroy()
    if (fault?.status)
      return send(res, fault.status, fault.body ?? { error: http.STATUS_CODES[fault.status] }, fault.headers)
    if (fault?.notImage !== undefined)
      return send(res, 200, fault.notImage, { 'content-type': 'text/html' })

    if (await v2.handle(req, res, body, bytes))
      return
    const model = req.url?.match(/^\/v1\/([\w.-]+)$/)?.[1]
    if (req.method !== 'POST' || !model || !MODELS.has(model))
      return send(res, 404, { error: `Model not found: ${req.url}` })
    if (!keys.has(String(req.headers['x-api-key'] ?? '')))
      return send(res, 401, { error: 'Unauthorized: invalid or missing API key' })
    const problem = typeof body === 'object' ? invalid(body) : 'body must be JSON'
    if (problem)
      return send(res, 400, { error: problem })
    if (state.credits < 0.04)
      return send(res, 406, { error: 'Insufficient credits' })
    const image = await (options.picture ?? (b => picture(b, scale)))(body)
    state.credits = Math.round((state.credits - 0.04) * 100) / 100
    const headers = {
      'content-type': 'image/jpeg',
      'x-remaining-credits': String(state.credits),
      'x-request-id': randomUUID(),
      'x-cost': '0.04',
      'x-generation-time': '31.2',
      'x-seed-value': String(body.seed ?? 424242),
    }
    if (fault?.truncate) {
      res.writeHead(200, { ...headers, 'content-length': String(image.length) })
      res.write(image.subarray(0, image.length >> 1))
      return setTimeout(() => res.destroy(), 5)
    }
    res.writeHead(200, { ...headers, 'content-length': String(image.length) })
    res.end(image)
  })
  const base = { url: '' }
  v2 = createAsyncRoutes({ keys, state, send, picture: (body: any) => picture(body, scale), base })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  base.url = `http://127.0.0.1:${port}`
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    /** Requests that reached a model endpoint (v1 calls and v2 submissions). */
    generations: () => state.requests.filter(r => /^\/v[12]\/seedream/.test(r.path)),
    fail: (...faults: Fault[]) => state.faults.push(...faults),
    /** The async API's jobs, uploads and file downloads. */
    v2,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

export type SegmindServer = Awaited<ReturnType<typeof startSegmindServer>>
