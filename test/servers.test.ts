import type { ForeignServer } from './servers/base'
import type { SegmindServer } from './servers/segmind'
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { until } from './helpers'
import { startArkServer } from './servers/ark'
import { rateLimited, startForeignServer } from './servers/base'
import { startFalServer } from './servers/fal'
import { startReplicateServer } from './servers/replicate'
import { startSegmindServer } from './servers/segmind'

// The loopback servers themselves, over real HTTP with plain fetch: no plugin involved.

const KEY = 'test-key-0123456789'
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})
async function segmind(options: Parameters<typeof startSegmindServer>[0] = {}): Promise<SegmindServer> {
  const s = await startSegmindServer({ keys: [KEY], ...options })
  closers.push(s.close)
  return s
}
async function foreign(): Promise<ForeignServer> {
  const f = await startForeignServer()
  closers.push(f.close)
  return f
}

const json = { 'x-api-key': KEY, 'content-type': 'application/json' }
const post = (s: { url: string }, path: string, body: object, init: RequestInit = {}) =>
  fetch(`${s.url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body), ...init })
const get = (url: string, headers: Record<string, string> = { 'x-api-key': KEY }) => fetch(url, { headers })
const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer())
const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const dims = async (b: Buffer) => {
  const m = await sharp(b).metadata()
  return [m.width, m.height]
}
/** Whether sharp can decode every pixel (metadata alone reads only the header). */
const decodes = (b: Buffer) => sharp(b).raw().toBuffer().then(() => true, () => false)
const prompt = 'A lighthouse on a cliff in a storm'

describe('full-size pictures', () => {
  it.each([
    ['seedream-4', { size: '2K', aspect_ratio: '16:9' }, [2048, 1152]],
    ['seedream-4', { size: '1K', aspect_ratio: '4:3' }, [1024, 768]],
    ['seedream-4', { size: '4K', aspect_ratio: '9:16' }, [2304, 4096]],
    ['seedream-4', { size: '2K', aspect_ratio: '21:9' }, [2048, 896]],
    ['seedream-4', { size: 'custom', width: 1536, height: 2048 }, [1536, 2048]],
    ['seedream-4', { size: 'custom', width: 1100, height: 2048 }, [1088, 2048]],
    ['seedream-4', {}, [2048, 2048]],
    ['seedream-4', { size: '1K', aspect_ratio: 'match_input_image' }, [1024, 1024]],
    ['seedream-4.5', { size: '2K', aspect_ratio: '16:9' }, [2560, 1440]],
    ['seedream-4.5', { size: '1K', aspect_ratio: '1:1' }, [1920, 1920]],
    ['seedream-4.5', { size: '2K' }, [2048, 2048]],
    ['seedream-4.5', { size: '4K', aspect_ratio: '3:2' }, [4096, 2752]],
  ])('Segmind v1 %s %j answers %j', async (model, fields, size) => {
    const s = await segmind()
    const res = await post(s, `/v1/${model}`, { prompt, ...fields })
    expect(res.status).toBe(200)
    const body = await bytes(res)
    expect(await dims(body)).toEqual(size)
    expect(res.headers.get('content-length')).toBe(String(body.length))
  })

  it('repeats of one request are different pictures; two prompts differ', async () => {
    const s = await segmind()
    const a = await bytes(await post(s, '/v1/seedream-4', { prompt, size: '1K' }))
    const b = await bytes(await post(s, '/v1/seedream-4', { prompt, size: '1K' }))
    const c = await bytes(await post(s, '/v1/seedream-4', { prompt: 'A fox', size: '1K' }))
    expect(new Set([hash(a), hash(b), hash(c)]).size).toBe(3)
    expect(s.billedSha256()).toEqual([hash(a), hash(b), hash(c)])
  })

  it('ark answers the WxH it was sent, fal its image_size (2048² by default), replicate like Segmind', async () => {
    const ark = await startArkServer(KEY)
    const fal = await startFalServer(KEY)
    const rep = await startReplicateServer(KEY)
    closers.push(ark.close, fal.close, rep.close)

    const a = await (await fetch(`${ark.url}/images/generations`, { method: 'POST', headers: { 'authorization': `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'seedream-4-5-251128', prompt, size: '2560x1440', response_format: 'b64_json' }) })).json()
    expect(await dims(Buffer.from(a.data[0].b64_json, 'base64'))).toEqual([2560, 1440])

    const falSizes = []
    for (const image_size of [{ width: 1024, height: 768 }, undefined]) {
      const sub = await (await fetch(`${fal.url}/fal-ai/bytedance/seedream/v4/text-to-image`, { method: 'POST', headers: { 'authorization': `Key ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ prompt, image_size }) })).json()
      const out = await (await fetch(sub.response_url, { headers: { authorization: `Key ${KEY}` } })).json()
      falSizes.push(await dims(await bytes(await fetch(out.images[0].url))))
    }
    expect(falSizes).toEqual([[1024, 768], [2048, 2048]])

    const created = await (await fetch(`${rep.url}/models/bytedance/seedream-4.5/predictions`, { method: 'POST', headers: { 'authorization': `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ input: { prompt, size: '2K', aspect_ratio: '16:9' } }) })).json()
    let p = { status: 'processing', output: [] as string[] }
    while (p.status === 'processing')
      p = await (await fetch(created.urls.get, { headers: { authorization: `Bearer ${KEY}` } })).json()
    expect(await dims(await bytes(await fetch(p.output[0]!)))).toEqual([2560, 1440])
  })
})

describe('Segmind v1 ledger', () => {
  it('a 200 bills the picture it carries, with its price, x-cost and the credits left', async () => {
    const s = await segmind({ credits: 1 })
    const r4 = await post(s, '/v1/seedream-4', { prompt, size: '1K' })
    const r45 = await post(s, '/v1/seedream-4.5', { prompt })
    const [b4, b45] = [await bytes(r4), await bytes(r45)]
    expect([r4.headers.get('x-cost'), r4.headers.get('x-remaining-credits')]).toEqual(['0.035', '0.965'])
    expect([r45.headers.get('x-cost'), r45.headers.get('x-remaining-credits')]).toEqual(['0.04', '0.925'])
    expect(s.ledger).toEqual([
      { id: r4.headers.get('x-request-id'), path: '/v1/seedream-4', model: 'seedream-4', pictures: 1, cost: 0.035, sha256: [hash(b4)], at: expect.any(Number) },
      { id: r45.headers.get('x-request-id'), path: '/v1/seedream-4.5', model: 'seedream-4.5', pictures: 1, cost: 0.04, sha256: [hash(b45)], at: expect.any(Number) },
    ])
    expect([s.billedPictures(), s.billedCost(), s.state.credits]).toEqual([2, 0.075, 0.925])
  })

  it('bills nothing for 4xx, 5xx, 429, redirects or a reset before the headers', async () => {
    const s = await segmind({ credits: 0.05 })
    s.fail({ status: 500 }, { status: 503, body: 'upstream down' }, rateLimited(), { redirect: { status: 302, location: 'https://example.com/x' } }, { reset: true })
    expect((await post(s, '/v1/seedream-4', { prompt })).status).toBe(500)
    const down = await post(s, '/v1/seedream-4', { prompt })
    expect([down.status, await down.text()]).toEqual([503, 'upstream down'])
    expect((await post(s, '/v1/seedream-4', { prompt })).status).toBe(429)
    const moved = await post(s, '/v1/seedream-4', { prompt }, { redirect: 'manual' })
    expect([moved.status, moved.headers.get('location')]).toEqual([302, 'https://example.com/x'])
    await expect(post(s, '/v1/seedream-4', { prompt })).rejects.toThrow()
    expect((await post(s, '/v1/seedream-4', { prompt: '' })).status).toBe(400)
    expect((await post(s, '/v1/seedream-4', { prompt }, { headers: { 'content-type': 'application/json' } })).status).toBe(401)
    expect((await post(s, '/v1/seedream-5', { prompt })).status).toBe(404)
    expect((await post(s, '/v1/seedream-4', { prompt })).status).toBe(200) // 0.05 → 0.015
    expect((await post(s, '/v1/seedream-4', { prompt })).status).toBe(406)
    expect(s.ledger).toHaveLength(1)
    expect(s.state.requests.map(r => r.fault ?? r.status)).toEqual(['status', 'status', 'status', 'redirect', 'reset', 400, 401, 404, 200, 406])
  })

  it('429 helpers tell when to come back as seconds, an HTTP date, Segmind\'s reset-at, or not at all', async () => {
    const s = await segmind()
    s.fail(rateLimited({ after: 2500 }), rateLimited({ after: 2500, as: 'date' }), rateLimited({ after: 2500, as: 'reset-at' }), rateLimited({ as: 'none' }))
    const answers = []
    for (let i = 0; i < 4; i++) answers.push(await post(s, '/v1/seedream-4', { prompt }))
    expect(answers.map(r => r.status)).toEqual([429, 429, 429, 429])
    expect(await answers[0]!.json()).toEqual({ error: 'Rate limit exceeded' })
    expect(answers[0]!.headers.get('retry-after')).toBe('3')
    const date = Date.parse(answers[1]!.headers.get('retry-after')!) - Date.now()
    expect(date).toBeGreaterThan(0)
    expect(date).toBeLessThanOrEqual(2500)
    const resetAt = answers[2]!.headers.get('x-rate-limit-reset-at-utc')!
    expect(resetAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Date.parse(resetAt) - Date.now()).toBeGreaterThan(1500)
    expect([...answers[3]!.headers.keys()].filter(h => /retry|rate/.test(h))).toEqual([])
    expect(s.ledger).toHaveLength(0)
  })

  it('a client that gives up while the server still works is billed once the picture is made', async () => {
    const s = await segmind()
    s.fail({ latencyMs: 400 })
    await expect(post(s, '/v1/seedream-4.5', { prompt }, { signal: AbortSignal.timeout(100) })).rejects.toThrow()
    expect(s.ledger).toHaveLength(0)
    await s.settled()
    expect(s.ledger).toHaveLength(1)
    expect(s.ledger[0]!.at - s.state.requests[0]!.at!).toBeGreaterThanOrEqual(400)
    expect(s.state.credits).toBe(9.96)
    expect(s.state.errors).toEqual([])
    // The server is still fine.
    expect((await post(s, '/v1/seedream-4', { prompt })).status).toBe(200)
  })

  it('truncate: a complete-looking 200 whose bytes do not decode; billed', async () => {
    const s = await segmind()
    s.fail({ truncate: true })
    const res = await post(s, '/v1/seedream-4', { prompt })
    const body = await bytes(res)
    expect(res.status).toBe(200)
    expect(Number(res.headers.get('content-length'))).toBe(body.length)
    expect(await decodes(body)).toBe(false)
    expect(s.billedPictures()).toBe(1)
    expect(s.billedSha256()[0]).not.toBe(hash(body))
  })

  it('resetMidBody: full Content-Length, half the bytes, then a reset; billed', async () => {
    const s = await segmind()
    s.fail({ resetMidBody: true })
    const res = await post(s, '/v1/seedream-4', { prompt })
    expect(res.status).toBe(200)
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(1000)
    await expect(res.arrayBuffer()).rejects.toThrow()
    await s.settled()
    expect(s.ledger.map(e => [e.pictures, e.fault])).toEqual([[1, 'resetMidBody']])
  })

  it('notImage, jsonBody, oversize and wrongSize answer 200 and bill', async () => {
    const s = await segmind()
    s.fail({ notImage: '<html>Gateway login</html>' }, { jsonBody: { output: 'https://cdn.example.com/a.jpg' } }, { oversize: 400_000 }, { wrongSize: { width: 640, height: 480 } })
    const html = await post(s, '/v1/seedream-4', { prompt })
    expect([html.status, html.headers.get('content-type'), await html.text()]).toEqual([200, 'text/html; charset=utf-8', '<html>Gateway login</html>'])
    const j = await post(s, '/v1/seedream-4', { prompt })
    expect([j.status, j.headers.get('content-type'), await j.json()]).toEqual([200, 'application/json', { output: 'https://cdn.example.com/a.jpg' }])

    const big = await bytes(await post(s, '/v1/seedream-4', { prompt }))
    expect(big.length).toBe(400_000)
    const end = big.lastIndexOf(Buffer.from([0xFF, 0xD9])) + 2
    expect(big.subarray(end).every(b => b === 0)).toBe(true)
    expect(await dims(big.subarray(0, end))).toEqual([2048, 2048])

    const small = await bytes(await post(s, '/v1/seedream-4', { prompt, size: '2K' }))
    expect(await dims(small)).toEqual([640, 480])
    expect(await decodes(small)).toBe(true)

    expect(s.ledger.map(e => e.fault)).toEqual(['notImage', 'jsonBody', 'oversize', 'wrongSize'])
    expect(s.billedSha256().slice(2)).toEqual([hash(big.subarray(0, end)), hash(small)])
  })

  it('a redirect is not billed; followed, it takes the key and the prompt to a foreign host', async () => {
    const s = await segmind()
    const f = await foreign()
    s.fail({ redirect: { status: 307, location: `${f.url}/v1/seedream-4` } })
    const res = await post(s, '/v1/seedream-4', { prompt, size: '1K' })
    expect(res.status).toBe(200)
    expect(await dims(await bytes(res))).toEqual([1024, 1024])
    expect(s.ledger).toHaveLength(0)
    expect(f.requests.map(r => [r.method, r.path])).toEqual([['POST', '/v1/seedream-4']])
    expect(f.saw(prompt)).toBe(true)
    // fetch drops Authorization across origins, but not a custom x-api-key header.
    expect(f.saw(KEY)).toBe(true)
  })

  it('hold() keeps generation requests logged and unanswered until release(); other requests go through', async () => {
    const s = await segmind()
    s.hold()
    let answered = false
    const held = post(s, '/v1/seedream-4', { prompt, size: '1K' }).then((res) => {
      answered = true
      return res
    })
    await until(() => s.generations().length === 1, 'the held request to be logged')
    expect((await get(`${s.url}/v1/get-user-credits`)).status).toBe(200)
    expect([answered, s.ledger.length, s.state.requests[0]!.status]).toEqual([false, 0, undefined])
    s.release()
    expect((await held).status).toBe(200)
    expect(s.ledger).toHaveLength(1)
    // Released for good: the next one is not held.
    expect((await post(s, '/v1/seedream-4', { prompt, size: '1K' })).status).toBe(200)
  })

  it('fail() serves generation requests only; failPath() serves the paths it matches', async () => {
    const s = await segmind()
    s.fail({ status: 502 })
    s.failPath(/get-user-credits/, { status: 503 })
    expect((await get(`${s.url}/v1/get-user-credits`)).status).toBe(503)
    const credits = await get(`${s.url}/v1/get-user-credits`)
    expect(await credits.json()).toEqual({ 'credits': 10, 'free-credits': 0.018 })
    expect((await post(s, '/v1/seedream-4', { prompt })).status).toBe(502)
    expect((await post(s, '/v1/seedream-4', { prompt })).status).toBe(200)
    expect(await (await get(`${s.url}/v1/get-user-credits`)).json()).toEqual({ 'credits': 9.965, 'free-credits': 0.018 })
    expect((await get(`${s.url}/v1/get-user-credits`, {})).status).toBe(401)
    expect(s.ledger).toHaveLength(1)
  })
})

describe('rate limit', () => {
  it.each(['both', 'reset-at', 'retry-after', 'none'] as const)('answers 429 beyond perWindow in a window, with %s headers, unbilled, then lets requests through in the next window', async (headers) => {
    const windowMs = 800
    const s = await segmind({ rateLimit: { perWindow: 2, windowMs, headers } })
    const started = Date.now()
    const answers = []
    for (let i = 0; i < 3; i++) answers.push(await post(s, '/v1/seedream-4', { prompt, size: '1K' }))
    const over = answers[2]!
    // The three went out in the first window unless this machine stalled for over a second.
    if (Date.now() - started < windowMs - 100) {
      expect(answers.map(r => r.status)).toEqual([200, 200, 429])
      expect(await over.json()).toEqual({ error: 'Rate limit exceeded' })
      const resetAt = over.headers.get('x-rate-limit-reset-at-utc')
      const retryAfter = over.headers.get('retry-after')
      expect([resetAt !== null, retryAfter !== null]).toEqual([headers === 'both' || headers === 'reset-at', headers === 'both' || headers === 'retry-after'])
      if (resetAt) {
        expect(resetAt).toMatch(/Z$/)
        expect(Date.parse(resetAt)).toBeGreaterThan(Date.now())
        expect(Date.parse(resetAt)).toBeLessThanOrEqual(started + windowMs + 50)
      }
      if (retryAfter)
        expect(retryAfter).toBe('1')
      expect([s.state.rateLimited, s.ledger.length]).toEqual([1, 2])
      expect(s.state.requests[2]!.fault).toBe('rate-limit')
      // v2 submissions count too.
      expect((await post(s, '/v2/seedream-4.5', { prompt })).status).toBe(429)
      await new Promise(resolve => setTimeout(resolve, started + windowMs + 20 - Date.now()))
    }
    expect((await post(s, '/v1/seedream-4', { prompt, size: '1K' })).status).toBe(200)
  })
})

describe('Segmind v2', () => {
  async function submit(s: SegmindServer, body: object) {
    const res = await post(s, '/v2/seedream-4.5', { prompt, ...body })
    expect(res.status).toBe(200)
    return res.json() as Promise<{ request_id: string, status: string, status_url: string, response_url: string, poll_url: string }>
  }
  async function wait(statusUrl: string) {
    for (;;) {
      const res = await get(statusUrl)
      const body = await res.json()
      if (res.status !== 200 || body.status === 'COMPLETED' || body.status === 'FAILED')
        return { code: res.status, ...body }
    }
  }

  it('bills each picture when the job reaches COMPLETED, whether or not they are downloaded', async () => {
    const s = await segmind()
    const job = await submit(s, { sequential_image_generation: 'auto', max_images: 3, size: '2K', aspect_ratio: '16:9' })
    expect(job).toMatchObject({ status: 'QUEUED', status_url: `${s.url}/v2/requests/${job.request_id}/status`, poll_url: `${s.url}/v2/requests/${job.request_id}/status`, response_url: `${s.url}/v2/requests/${job.request_id}` })
    expect(s.ledger).toHaveLength(0)
    const done = await wait(job.status_url)
    expect(done).toMatchObject({ status: 'COMPLETED', request_id: job.request_id, metrics: { cost: 0.12, remaining_credits: 9.88 } })
    expect(s.ledger).toEqual([{ id: job.request_id, path: '/v2/seedream-4.5', model: 'seedream-4.5', pictures: 3, cost: 0.12, sha256: expect.any(Array), at: expect.any(Number) }])
    expect(s.state.requests.filter(r => r.path.startsWith('/files/'))).toHaveLength(0)

    const result = await (await get(job.response_url)).json()
    expect(result).toEqual({ status: 'COMPLETED', output: [0, 1, 2].map(i => `${s.url}/files/${job.request_id}/${i}.jpg`), metrics: { cost: 0.12, remaining_credits: 9.88 } })
    const files = await Promise.all(result.output.map(async (u: string) => bytes(await fetch(u))))
    expect(files.map(hash)).toEqual(s.billedSha256())
    expect(await dims(files[0])).toEqual([2560, 1440])
  })

  it('disabled with max_images 3 makes ONE picture; auto makes max_images, less seriesShort', async () => {
    const s = await segmind()
    const one = await submit(s, { max_images: 3, sequential_image_generation: 'disabled' })
    await wait(one.status_url)
    s.v2.settings.seriesShort = 1
    const short = await submit(s, { max_images: 4, sequential_image_generation: 'auto' })
    await wait(short.status_url)
    expect(s.ledger.map(e => e.pictures)).toEqual([1, 3])
    expect((await (await get(one.response_url)).json()).output).toHaveLength(1)
  })

  it.each([
    ['string', (s: SegmindServer, id: string) => ({ status: 'COMPLETED', output: `${s.url}/files/${id}/0.jpg`, metrics: { cost: 0.08, remaining_credits: 9.92 } })],
    ['images', (s: SegmindServer, id: string) => ({ status: 'COMPLETED', images: [0, 1].map(i => ({ url: `${s.url}/files/${id}/${i}.jpg`, content_type: 'image/jpeg', file_name: `${i}.jpg`, file_size: expect.any(Number) })), metrics: { cost: 0.08, remaining_credits: 9.92 } })],
  ] as const)('resultShape %s', async (shape, expected) => {
    const s = await segmind()
    s.v2.settings.resultShape = shape
    const job = await submit(s, { max_images: 2, sequential_image_generation: 'auto' })
    await wait(job.status_url)
    const result = await (await get(job.response_url)).json()
    expect(result).toEqual(expected(s, job.request_id))
    if (shape === 'images')
      expect(result.images[1].file_size).toBe((await bytes(await fetch(result.images[1].url))).length)
  })

  it('a FAILED job answers 422 from status and result, and is not billed', async () => {
    const s = await segmind()
    s.v2.settings.failNext = true
    const job = await submit(s, {})
    const done = await wait(job.status_url)
    expect(done).toEqual({ code: 422, status: 'FAILED', request_id: job.request_id, error: expect.stringContaining('sensitive') })
    expect((await get(job.response_url)).status).toBe(422)
    expect([s.ledger.length, s.state.credits]).toEqual([0, 10])
  })

  it('results expire: status and result answer 404 Request not found', async () => {
    const s = await segmind()
    s.v2.settings.expireAfterMs = 0
    const job = await submit(s, {})
    const polled = []
    for (let i = 0; i < 3; i++) polled.push((await (await get(job.status_url)).json()).status)
    expect(polled).toEqual(['QUEUED', 'PROCESSING', 'COMPLETED'])
    for (const url of [job.status_url, job.response_url]) {
      const res = await get(url)
      expect([res.status, await res.json()]).toEqual([404, { error: 'Request not found' }])
    }
    expect(s.billedPictures()).toBe(1)
  })

  it('completeAfterMs ends an unpolled job on time, and it bills; a new client can still resume it', async () => {
    const s = await segmind()
    s.v2.settings.completeAfterMs = 50
    const job = await submit(s, { sequential_image_generation: 'auto', max_images: 2 })
    await s.settled()
    expect(s.ledger.map(e => [e.id, e.pictures])).toEqual([[job.request_id, 2]])
    expect(await (await get(`${s.url}/v2/requests/${job.request_id}/status`)).json()).toMatchObject({ status: 'COMPLETED' })
  })

  it('only /v2/seedream-4.5 exists; status, result and files need the right request', async () => {
    const s = await segmind()
    expect((await post(s, '/v2/seedream-4', { prompt })).status).toBe(404)
    expect((await get(`${s.url}/v2/requests/job-404/status`)).status).toBe(404)
    const job = await submit(s, {})
    expect((await get(job.status_url, {})).status).toBe(401)
    expect(s.generations().map(r => r.path)).toEqual(['/v2/seedream-4', '/v2/seedream-4.5'])
  })

  it('failPath: a status poll that fails, a download that fails once; only COMPLETED bills', async () => {
    const s = await segmind()
    s.failPath(/\/status$/, { status: 503 }, { reset: true })
    s.failPath(/^\/files\//, { status: 500 }, { truncate: true })
    const job = await submit(s, {})
    expect((await get(job.status_url)).status).toBe(503)
    await expect(get(job.status_url)).rejects.toThrow()
    await wait(job.status_url)
    const [url] = (await (await get(job.response_url)).json()).output
    expect((await fetch(url)).status).toBe(500)
    const cut = await bytes(await fetch(url))
    expect(await decodes(cut)).toBe(false)
    const whole = await bytes(await fetch(url))
    expect([hash(whole)]).toEqual(s.billedSha256())
    expect(s.ledger).toHaveLength(1)
  })

  it('foreignJobUrls points the job URLs at another host', async () => {
    const s = await segmind()
    const f = await foreign()
    s.v2.settings.foreignJobUrls = f.url
    const job = await submit(s, {})
    expect(job.status_url).toBe(`${f.url}/v2/requests/${job.request_id}/status`)
    expect(job.response_url.startsWith(f.url)).toBe(true)
    expect(f.requests).toHaveLength(0)
    const res = await get(job.status_url)
    expect(res.headers.get('content-type')).toBe('image/jpeg')
    expect(f.saw(KEY)).toBe(true)
    expect(s.ledger).toHaveLength(0)
  })
})

describe('Segmind uploads', () => {
  it('takes JSON data_urls and answers urls; takes a multipart file and answers file_urls; keeps what it got', async () => {
    const s = await segmind()
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer()
    const jpg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#654321' } }).jpeg().toBuffer()
    const res = await post(s, '/upload-asset', { data_urls: [`data:image/png;base64,${png.toString('base64')}`, `data:image/jpeg;base64,${jpg.toString('base64')}`] })
    const { urls } = await res.json()
    expect(urls).toEqual([`https://assets.example.com/${hash(png).slice(0, 12)}.png`, `https://assets.example.com/${hash(jpg).slice(0, 12)}.jpg`])

    const form = new FormData()
    form.append('file', new Blob([png], { type: 'image/png' }), 'ref.png')
    const multipart = await fetch(`${s.url}/upload-asset`, { method: 'POST', headers: { 'x-api-key': KEY }, body: form })
    expect(await multipart.json()).toEqual({ file_urls: [`https://assets.example.com/${hash(png).slice(0, 12)}.png`] })

    expect(s.v2.uploads).toEqual([
      { bytes: png.length, sha256: hash(png), mime: 'image/png', form: 'data_urls' },
      { bytes: jpg.length, sha256: hash(jpg), mime: 'image/jpeg', form: 'data_urls' },
      { bytes: png.length, sha256: hash(png), mime: 'image/png', form: 'multipart' },
    ])
    expect((await post(s, '/upload-asset', { data_urls: ['https://example.com/a.png'] })).status).toBe(400)
    expect((await fetch(`${s.url}/upload-asset`, { method: 'POST', body: form })).status).toBe(401)
    expect(s.ledger).toHaveLength(0)
  })
})

describe('ark, fal and replicate ledgers', () => {
  it('ark bills each picture of a 200, not the refused ones, not a 429', async () => {
    const ark = await startArkServer(KEY, { refuse: 1 })
    closers.push(ark.close)
    ark.fail({ status: 429 })
    const call = () => fetch(`${ark.url}/images/generations`, { method: 'POST', headers: { 'authorization': `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'seedream-4-0-250828', prompt, size: '1024x1024', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 }, response_format: 'b64_json' }) })
    expect((await call()).status).toBe(429)
    const answer = await (await call()).json()
    expect(answer.usage.generated_images).toBe(2)
    expect(ark.ledger.map(e => [e.model, e.pictures, e.cost])).toEqual([['seedream-4-0-250828', 2, 0.06]])
    expect(ark.billedSha256()).toEqual(answer.data.filter((d: any) => d.b64_json).map((d: any) => hash(Buffer.from(d.b64_json, 'base64'))))
  })

  it('fal bills at COMPLETED, replicate at succeeded; failed ones are free', async () => {
    const fal = await startFalServer(KEY)
    const rep = await startReplicateServer(KEY)
    closers.push(fal.close, rep.close)
    const falAuth = { 'authorization': `Key ${KEY}`, 'content-type': 'application/json' }
    const sub = await (await fetch(`${fal.url}/fal-ai/bytedance/seedream/v4.5/text-to-image`, { method: 'POST', headers: falAuth, body: JSON.stringify({ prompt, num_images: 2 }) })).json()
    const states = []
    for (let i = 0; i < 3; i++) states.push((await (await fetch(sub.status_url, { headers: falAuth })).json()).status)
    expect(states).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'])
    expect(fal.ledger.map(e => [e.id, e.model, e.pictures, e.cost])).toEqual([[sub.request_id, 'seedream-4.5', 2, 0.08]])
    fal.settings.failNext = true
    const failed = await (await fetch(`${fal.url}/fal-ai/bytedance/seedream/v4/text-to-image`, { method: 'POST', headers: falAuth, body: JSON.stringify({ prompt }) })).json()
    expect((await fetch(failed.response_url, { headers: falAuth })).status).toBe(422)
    expect(fal.billedPictures()).toBe(2)

    const repAuth = { 'authorization': `Bearer ${KEY}`, 'content-type': 'application/json' }
    rep.settings.failNext = true
    for (const input of [{ prompt }, { prompt, sequential_image_generation: 'auto', max_images: 2 }]) {
      const created = await (await fetch(`${rep.url}/models/bytedance/seedream-4/predictions`, { method: 'POST', headers: repAuth, body: JSON.stringify({ input }) })).json()
      let p = { status: 'processing' }
      while (p.status === 'processing')
        p = await (await fetch(created.urls.get, { headers: repAuth })).json()
    }
    expect(rep.ledger.map(e => [e.id, e.pictures, e.cost])).toEqual([['rep-2', 2, 0.06]])
  })
})
