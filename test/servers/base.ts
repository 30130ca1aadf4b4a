import type { AddressInfo } from 'node:net'
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { render, segmindSize, sha256 } from './picture'

export type Headers = Record<string, string>

/**
 * One scripted answer, taken from a fault queue before the normal handling of a request. Kinds
 * combine with `latencyMs`; otherwise use one kind per fault. "Billed" says what the ledger of a
 * billing server records when the fault hits a generation request (a Segmind v1 POST); a fault on
 * any other request (a v2 submission, status poll, result, file download) never bills by itself:
 * v2 bills when a job reaches COMPLETED.
 */
export interface Fault {
  /** Answer this status (429, 5xx, 4xx…) with `body` (object → JSON, string → text; default `{"error": <reason>}`) and `headers`. Nothing is generated: not billed. */
  status?: number
  body?: unknown
  /** Extra headers with `status`; a function is called when the answer is sent (for times relative to then). */
  headers?: Headers | (() => Headers)
  /** Destroy the socket before any header is sent. Nothing is generated: not billed. */
  reset?: boolean
  /** 200 headers with the full Content-Length, the first half of the body, then the socket is destroyed. Billed. */
  resetMidBody?: boolean
  /** 200 whose body is the first half of the bytes, with a Content-Length that matches them: the HTTP layer sees a complete answer, only decoding shows the cut. Billed. */
  truncate?: boolean
  /** 200 `text/html` with this body instead of the image (the picture was produced and is lost). Billed. */
  notImage?: string
  /** 200 `application/json` with this body instead of the image. Billed. */
  jsonBody?: object
  /** 200 with the valid picture padded with zero bytes up to this many bytes in all. Billed. */
  oversize?: number
  /** 200 with a valid picture of this size instead of the size the request implies. Billed (the ledger keeps this picture's hash). */
  wrongSize?: { width: number, height: number }
  /** Answer a redirect to `location` with no body. Nothing is generated: not billed. */
  redirect?: { status: 301 | 302 | 303 | 307 | 308, location: string }
  /** Wait this long before answering. The work still completes after the wait, and bills as the rest of the fault says, even if the client gave up and closed the socket. */
  latencyMs?: number
}

export interface LoggedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  /** Parsed JSON, or the text when it is not JSON, or undefined when empty. */
  body: any
  /** The bytes as received (not enumerable). */
  raw?: Buffer
  /** When it arrived and when its answer was sent or its socket closed (ms since the epoch). */
  at?: number
  done?: number
  /** The status answered (undefined when the socket was destroyed before the headers). */
  status?: number
  /** Which fault, if any, answered it ('status', 'reset', 'truncate', …, 'rate-limit'). */
  fault?: string
}

export interface Answer {
  status: number
  body: unknown
  headers?: Headers
  /** What is left of the request's fault to shape this body, when the route applied part of it itself (or none of it applies). */
  shape?: Fault
}

/** What a request to a route sees: `raw` is the body as received; `fault` the one taken for it (it shapes a 2xx answer unless the answer says `shape`). */
export type Route = (req: LoggedRequest & { raw: Buffer }, base: string, fault: Fault | undefined) => Promise<Answer>

/** One billed generation: what the real API would have charged. */
export interface LedgerEntry {
  /** The provider's id for it (x-request-id, job or prediction id). */
  id: string
  /** The request path that was billed. */
  path: string
  model: string
  pictures: number
  /** In dollars. */
  cost: number
  /** Hashes of the pictures produced (before any fault cut, padded or replaced their bytes). */
  sha256: string[]
  at: number
  /** The fault that shaped the answer, when one did. */
  fault?: string
}

export const FAULT_KINDS = ['reset', 'resetMidBody', 'truncate', 'notImage', 'jsonBody', 'oversize', 'wrongSize', 'redirect', 'status'] as const

export function faultKind(fault: Fault | undefined): string | undefined {
  if (!fault)
    return undefined
  return FAULT_KINDS.find(k => fault[k] !== undefined && fault[k] !== false) ?? (fault.latencyMs ? 'latency' : undefined)
}

/**
 * A 429 fault. `after` (ms, default 0) is when the limit lifts, measured when the answer is sent;
 * `as` says how it is told: `retry-after` in whole seconds ('seconds', the default), `retry-after`
 * as an HTTP date ('date'), Segmind's `x-rate-limit-reset-at-utc` ISO timestamp ('reset-at'), or
 * not at all ('none').
 */
export function rateLimited({ after = 0, as = 'seconds' }: { after?: number, as?: 'seconds' | 'date' | 'reset-at' | 'none' } = {}): Fault {
  return {
    status: 429,
    body: { error: 'Rate limit exceeded' },
    headers: (): Headers => {
      const at = Date.now() + after
      if (as === 'seconds')
        return { 'retry-after': String(Math.ceil(after / 1000)) }
      if (as === 'date')
        return { 'retry-after': new Date(at).toUTCString() }
      if (as === 'reset-at')
        return { 'x-rate-limit-reset-at-utc': new Date(at).toISOString() }
      return {}
    },
  }
}

/** The ledger of a billing server: `bill` for the server; `billing` (the entries and their sums) for its tests. */
export function createLedger() {
  const ledger: LedgerEntry[] = []
  return {
    /** Records one billed generation of `images` at `price` dollars a picture. */
    bill(e: { id: string, path: string, model: string, price: number, images: Buffer[], fault?: string }): LedgerEntry {
      const entry: LedgerEntry = { id: e.id, path: e.path, model: e.model, pictures: e.images.length, cost: money(e.price * e.images.length), sha256: e.images.map(sha256), at: Date.now() }
      if (e.fault)
        entry.fault = e.fault
      ledger.push(entry)
      return entry
    },
    billing: {
      /** One entry per billed generation. */
      ledger,
      billedPictures: () => ledger.reduce((n, e) => n + e.pictures, 0),
      billedSha256: () => ledger.flatMap(e => e.sha256),
      billedCost: () => money(ledger.reduce((n, e) => n + e.cost, 0)),
    },
  }
}

/** Dollars without float dust. */
export const money = (n: number) => Math.round(n * 1e6) / 1e6

/** Work in flight (request handlers, scheduled job completions), so a test can wait for all of it. */
export function createTracker() {
  const pending = new Set<Promise<unknown>>()
  return {
    track<T>(p: Promise<T>): Promise<T> {
      pending.add(p)
      p.then(() => pending.delete(p), () => pending.delete(p))
      return p
    },
    /** Resolves once nothing is in flight, including work that started while waiting. */
    async settled(): Promise<void> {
      while (pending.size)
        await Promise.allSettled([...pending])
    },
  }
}

/**
 * Two queues of faults: `fail` serves the next generation requests (`isGeneration`), `failPath`
 * the next requests whose path matches its pattern (a generation request takes from `fail` first).
 */
function createFaults(isGeneration: (req: LoggedRequest) => boolean) {
  const faults: Fault[] = []
  const byPath: Array<{ pattern: RegExp, faults: Fault[] }> = []
  return {
    faults,
    fail: (...f: Fault[]) => { faults.push(...f) },
    failPath: (pattern: RegExp, ...f: Fault[]) => { byPath.push({ pattern, faults: f }) },
    take(req: LoggedRequest): Fault | undefined {
      if (isGeneration(req) && faults.length)
        return faults.shift()
      const match = byPath.find(p => p.faults.length && p.pattern.test(req.path))
      return match?.faults.shift()
    },
  }
}

/** The whole body, or undefined when the client went away before sending it. */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer)
  }
  catch {
    return undefined
  }
  return Buffer.concat(chunks)
}

export function parseBody(raw: Buffer): any {
  const text = raw.toString('utf8')
  try {
    return text ? JSON.parse(text) : undefined
  }
  catch {
    return text
  }
}

/** Logs a request; `done` is set when its answer is sent or its socket closes. */
function logRequest(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): LoggedRequest & { raw: Buffer } {
  const logged = { method: req.method!, path: req.url!, headers: req.headers, body: parseBody(raw), at: Date.now() } as LoggedRequest & { raw: Buffer }
  // Not enumerable: a printed log stays short.
  Object.defineProperty(logged, 'raw', { value: raw, enumerable: false })
  const done = () => { logged.done ??= Date.now() }
  res.on('finish', done)
  res.on('close', done)
  return logged
}

const gone = (res: http.ServerResponse) => res.destroyed || !res.socket || res.socket.destroyed

/** A request read whole and logged; undefined when the client went away first. Socket errors are expected here. */
async function receive(req: http.IncomingMessage, res: http.ServerResponse, log: LoggedRequest[]): Promise<(LoggedRequest & { raw: Buffer }) | undefined> {
  req.on('error', () => {})
  res.on('error', () => {})
  const raw = await readBody(req)
  if (!raw)
    return undefined
  const logged = logRequest(req, res, raw)
  log.push(logged)
  return logged
}

/**
 * Answers the faults that stop a request before any work (reset, status, redirect); true when one
 * did. Nothing of these is billed.
 */
function answerEarlyFault(res: http.ServerResponse, fault: Fault | undefined, logged: LoggedRequest): boolean {
  if (!fault)
    return false
  if (fault.reset) {
    res.socket?.destroy()
    return true
  }
  if (fault.status) {
    const headers = typeof fault.headers === 'function' ? fault.headers() : fault.headers
    logged.status = fault.status
    void send(res, { status: fault.status, body: fault.body ?? { error: http.STATUS_CODES[fault.status] }, headers })
    return true
  }
  if (fault.redirect) {
    logged.status = fault.redirect.status
    if (!gone(res))
      res.writeHead(fault.redirect.status, { 'location': fault.redirect.location, 'content-length': '0' }).end()
    return true
  }
  return false
}

/**
 * Sends an answer, shaped by the body faults when it is a 2xx: notImage, jsonBody, wrongSize (a
 * valid picture of that size replaces an image body), oversize, truncate, resetMidBody. Writing
 * to a socket the client has closed is a no-op.
 */
export async function send(res: http.ServerResponse, answer: Answer, fault?: Fault): Promise<void> {
  const ok = answer.status >= 200 && answer.status < 300
  const headers: Headers = {}
  for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = v
  let body = answer.body
  if (ok && fault?.notImage !== undefined) {
    body = fault.notImage
    headers['content-type'] = 'text/html; charset=utf-8'
  }
  else if (ok && fault?.jsonBody !== undefined) {
    body = fault.jsonBody
    headers['content-type'] = 'application/json'
  }
  else if (ok && fault?.wrongSize && Buffer.isBuffer(body)) {
    body = await render(fault.wrongSize.width, fault.wrongSize.height, `wrong size ${sha256(body)}`)
  }
  let bytes: Buffer
  if (Buffer.isBuffer(body)) {
    bytes = body
    headers['content-type'] ??= 'image/jpeg'
  }
  else if (typeof body === 'string') {
    bytes = Buffer.from(body)
    headers['content-type'] ??= 'text/plain; charset=utf-8'
  }
  else if (body === undefined) {
    bytes = Buffer.alloc(0)
  }
  else {
    bytes = Buffer.from(JSON.stringify(body))
    headers['content-type'] ??= 'application/json'
  }
  if (ok && fault?.oversize && bytes.length < fault.oversize)
    bytes = Buffer.concat([bytes, Buffer.alloc(fault.oversize - bytes.length)])
  if (ok && fault?.truncate)
    bytes = bytes.subarray(0, bytes.length >> 1)
  headers['content-length'] = String(bytes.length)
  if (gone(res))
    return
  res.writeHead(answer.status, headers)
  if (ok && fault?.resetMidBody) {
    res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy())
    return
  }
  res.end(bytes)
}

/** Listens on a loopback port; `close` ends every connection. */
async function listen(server: http.Server) {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

export interface JsonServerOptions<S extends object> {
  /** Latency added to every answer (a fault's own `latencyMs` replaces it). */
  latencyMs?: number
  /** The requests `fail(...)` faults serve, and `hold()` holds (default: every request). */
  isGeneration?: (req: LoggedRequest) => boolean
  /** Answers a request before any fault or route (a rate limit), or lets it through (undefined). */
  intercept?: (req: LoggedRequest) => Answer | undefined
  /** The server's own fields, merged into `state` (this very object, so the route can keep using it). */
  state?: S
  /** Tracks the route's own work that outlives a request (scheduled job completions), so `settled()` waits for it. */
  tracker?: ReturnType<typeof createTracker>
}

/**
 * A loopback JSON server for one provider's protocol: every request is logged; `fail(...)` faults
 * serve the next generation requests (of any kind unless `isGeneration` says), `failPath(re, ...)`
 * the next requests whose path matches; then the provider's own route answers. A route that throws
 * answers 500 and is kept in `state.errors`. `hold()` keeps generation requests waiting (logged,
 * unanswered) until `release()`, so a test can look at the client while its generation is pending
 * instead of betting on a latency.
 */
export async function startJsonServer<S extends object = object>(route: Route, options: JsonServerOptions<S> = {}) {
  const isGeneration = options.isGeneration ?? (() => true)
  const faults = createFaults(isGeneration)
  const state = Object.assign(options.state ?? {} as S, { faults: faults.faults, requests: [] as LoggedRequest[], errors: [] as unknown[] })
  const tracker = options.tracker ?? createTracker()
  let held: Promise<void> | undefined
  let open = () => {}
  let base = ''
  const server = http.createServer((req, res) => { void tracker.track(handle(req, res)) })
  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const logged = await receive(req, res, state.requests)
    if (!logged)
      return
    const stopped = options.intercept?.(logged)
    if (stopped) {
      logged.status = stopped.status
      return send(res, stopped)
    }
    const fault = faults.take(logged)
    logged.fault = faultKind(fault)
    const wait = fault?.latencyMs ?? options.latencyMs ?? 0
    if (wait)
      await sleep(wait)
    if (held && isGeneration(logged))
      await held
    if (answerEarlyFault(res, fault, logged))
      return
    try {
      const answer = await route(logged, base, fault)
      logged.status = answer.status
      await send(res, answer, answer.shape ?? fault)
    }
    catch (error) {
      state.errors.push(error)
      logged.status = 500
      await send(res, { status: 500, body: { error: String(error) } })
    }
  }
  const listening = await listen(server)
  base = listening.url
  const release = () => {
    open()
    held = undefined
  }
  return {
    url: base,
    state,
    fail: faults.fail,
    failPath: faults.failPath,
    /** Generation requests from now on wait, logged and unanswered, until `release()`. */
    hold: () => { held ??= new Promise<void>((resolve) => { open = resolve }) },
    /** Lets every held request on, and the next ones through. */
    release,
    /** Resolves when every request in flight has been answered (or its work has ended). */
    settled: tracker.settled,
    /** Ends every connection; held requests are let go first, so none is left waiting. */
    close: () => {
      release()
      return listening.close()
    },
  }
}

/** Result files, served without a key, as every provider's CDN does. */
export function fileStore() {
  const files = new Map<string, Buffer>()
  let n = 0
  return {
    add(base: string, image: Buffer): string {
      const name = `/files/${++n}.jpg`
      files.set(name, image)
      return `${base}${name}`
    },
    serve(path: string): Answer | undefined {
      const file = files.get(path)
      return file && { status: 200, body: file }
    },
  }
}

/** A job of a queued provider: what was submitted, its status polls, and whether it is to fail. */
export type QueuedJob<J> = J & { polls: number, fail: boolean, making?: Promise<string[]> }

/**
 * What a queued provider (fal, Replicate) keeps: its result files, its ledger, and jobs numbered
 * `prefix-1`, `prefix-2`…, each failing if `settings.failNext` was set when it was submitted.
 * `draw` makes a job's pictures and says how they are billed.
 */
export function createJobs<J extends object>(prefix: string, draw: (job: QueuedJob<J>, id: string) => Promise<{ images: Buffer[], path: string, model: string, price: number }>) {
  const files = fileStore()
  const { bill, billing } = createLedger()
  const jobs = new Map<string, QueuedJob<J>>()
  const settings = { failNext: false }
  let n = 0
  return {
    jobs,
    settings,
    billing,
    /** A new job's id. */
    submit(job: J): string {
      const id = `${prefix}-${++n}`
      jobs.set(id, { ...job, polls: 0, fail: settings.failNext })
      settings.failNext = false
      return id
    },
    /** A job's pictures as file URLs on `base`: drawn and billed the first time, however many requests ask. */
    make(id: string, base: string): Promise<string[]> {
      const job = jobs.get(id)!
      job.making ??= draw(job, id).then(({ images, ...as }) => {
        bill({ id, ...as, images })
        return images.map(image => files.add(base, image))
      })
      return job.making
    },
    /** What the test sees of the server: the server itself, the settings, the ledger, and the submissions. */
    expose: <S extends { state: { requests: LoggedRequest[] } }>(server: S) => ({
      ...server,
      settings,
      ...billing,
      generations: () => server.state.requests.filter(r => r.method === 'POST'),
    }),
    /** `route` behind a key check; result files come first and need no key, as the provider's CDN serves them. */
    keyed: (authorization: string, unauthorized: Answer, route: Route): Route => async (req, base, fault) =>
      files.serve(req.path) ?? (req.headers.authorization === authorization ? route(req, base, fault) : unauthorized),
  }
}

/**
 * Another loopback server, on its own port, that logs every request with its headers and body and
 * answers any of them with a valid JPEG: for a JSON body with a prompt, of the size Segmind would
 * return for it; otherwise `size` (2048² by default). A test points a redirect or a v2 job URL at
 * it and asks `saw(text)` whether a key or a prompt ever reached it.
 */
export async function startForeignServer(options: { size?: { width: number, height: number } } = {}) {
  const server = await startJsonServer(async (req) => {
    const size = req.body?.prompt
      ? segmindSize(req.body, /seedream-4\.5/.test(req.path) ? 'seedream-4.5' : 'seedream-4')
      : options.size ?? { width: 2048, height: 2048 }
    return { status: 200, body: await render(size.width, size.height, `foreign ${req.path}`) }
  })
  const requests = server.state.requests
  return {
    url: server.url,
    requests,
    /** Whether `text` appears in any request's path, headers or body. */
    saw: (text: string) => requests.some(r => r.path.includes(text) || JSON.stringify(r.headers).includes(text) || (r.raw ?? Buffer.alloc(0)).includes(text)),
    settled: server.settled,
    close: server.close,
  }
}

export type ForeignServer = Awaited<ReturnType<typeof startForeignServer>>
