import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { copyFixture, exportsOf, listFiles, viteBuild, withEnv } from './helpers'
import { startArkServer } from './servers/ark'
import { startFalServer } from './servers/fal'
import { startReplicateServer } from './servers/replicate'

const KEY = 'provider-key-5f4dcc3b5aa765d61d83'
let close: () => Promise<void> = async () => {}
afterEach(() => close())

async function project(hero: object, provider: string) {
  const root = await copyFixture('vite-one')
  await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ provider, images: { hero: { prompt: 'A lighthouse on a cliff in a storm', ...hero } } }))
  return root
}
const build = (root: string, env: Record<string, string>) => withEnv(env, () => viteBuild(root, { widths: [64], formats: ['jpeg'], retryDelay: 5 }))
const metas = async (root: string) => Promise.all((await listFiles(path.join(root, '.seedream'))).filter(f => f.endsWith('meta.json'))
  .map(async f => JSON.parse(await readFile(path.join(root, '.seedream', f), 'utf8'))))
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure') }, e => e as Error)
const noKeyIn = async (root: string, logs: string[]) => {
  for (const f of await listFiles(root))
    expect((await readFile(path.join(root, f))).includes(KEY), f).toBe(false)
  expect(logs.join('\n')).not.toContain(KEY)
}

describe('ark (BytePlus ModelArk)', () => {
  it('maps the spec to explicit pixels and its model ids, decodes b64_json, and keeps the request id', async () => {
    const ark = await startArkServer(KEY)
    close = ark.close
    const root = await project({ model: 'seedream-4.5', size: '2K', aspect_ratio: '16:9' }, 'ark')
    const env = { ARK_API_KEY: KEY, ARK_API_URL: ark.url }
    const { outDir, logs } = await build(root, env)
    const [call] = ark.generations()
    expect(call!.headers.authorization).toBe(`Bearer ${KEY}`)
    // 2048×1152 is under seedream-4.5's 3,686,400 px: scaled up to 2560×1440.
    expect(call!.body).toMatchObject({ model: 'seedream-4-5-251128', size: '2560x1440', response_format: 'b64_json', watermark: false, sequential_image_generation: 'disabled' })
    expect((await exportsOf(outDir)).hero.width).toBe(64)
    const [meta] = await metas(root)
    expect(meta).toMatchObject({ provider: 'ark', requestIds: [expect.stringMatching(/^ark-/)] })
    await noKeyIn(root, logs)
  })

  it('asks for a series in one call, keeps the pictures that came, and says which were refused', async () => {
    const ark = await startArkServer(KEY, { refuse: 1 })
    close = ark.close
    const root = await project({ model: 'seedream-4', size: '1K', max_images: 3, sequential_image_generation: 'auto' }, 'ark')
    const { outDir, logs } = await build(root, { ARK_API_KEY: KEY, ARK_API_URL: ark.url })
    expect(ark.generations()).toHaveLength(1)
    expect(ark.generations()[0]!.body.sequential_image_generation_options).toEqual({ max_images: 3 })
    expect((await exportsOf(outDir)).hero.images).toHaveLength(2)
    expect(logs.join('\n')).toContain('ark returned 2 of 3 picture(s); the rest were refused: OutputImageSensitiveContentDetected')
  })

  it('fails when every picture is refused, retries 429, and fails at once on 401 with its hint', async () => {
    const ark = await startArkServer(KEY, { refuse: 1 })
    close = ark.close
    const root = await project({ model: 'seedream-4', size: '1K' }, 'ark')
    ark.fail({ status: 429, body: { error: { code: 'RateLimitExceeded.EndpointRPMExceeded', message: 'slow down' } } })
    const refused = await failure(build(root, { ARK_API_KEY: KEY, ARK_API_URL: ark.url }))
    expect(refused.message).toContain('returned no image: OutputImageSensitiveContentDetected')
    expect(ark.generations()).toHaveLength(2)
    const wrong = await failure(build(root, { ARK_API_KEY: 'wrong-key-000000', ARK_API_URL: ark.url }))
    expect(wrong.message).toMatch(/401 The API key in the request is missing or invalid\. — The key was refused: check ARK_API_KEY/)
    expect(await metas(root)).toEqual([])
  })

  it('refuses before any request what it cannot express, and asks for its own key', async () => {
    const ark = await startArkServer(KEY)
    close = ark.close
    const seed = await failure(build(await project({ seed: 5 }, 'ark'), { ARK_API_KEY: KEY, ARK_API_URL: ark.url }))
    expect(seed.message).toContain('seed: provider "ark" takes no seed')
    const noKey = await failure(build(await project({}, 'ark'), { ARK_API_URL: ark.url }))
    expect(noKey.message).toContain('ARK_API_KEY is not set, so "hero" cannot be generated with ark')
    expect(ark.state.requests).toHaveLength(0)
  })

  it('sends local references as data URIs', async () => {
    const ark = await startArkServer(KEY)
    close = ark.close
    const root = await project({ model: 'seedream-4', size: '1K', image_input: ['ref.png'], aspect_ratio: '1:1' }, 'ark')
    await writeFile(path.join(root, 'ref.png'), await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer())
    await build(root, { ARK_API_KEY: KEY, ARK_API_URL: ark.url })
    expect(ark.generations()[0]!.body.image).toMatch(/^data:image\/png;base64,/)
  })
})

describe('fal', () => {
  it('submits to the queue, polls, reads the response, downloads without the key, and keeps the seed', async () => {
    const fal = await startFalServer(KEY)
    close = fal.close
    const root = await project({ model: 'seedream-4', size: '1K', aspect_ratio: '4:3', max_images: 2, seed: 9 }, 'fal')
    const { outDir, logs } = await build(root, { FAL_KEY: KEY, FAL_API_URL: fal.url })
    const [submit] = fal.generations()
    expect(submit!.path).toBe('/fal-ai/bytedance/seedream/v4/text-to-image')
    expect(submit!.headers.authorization).toBe(`Key ${KEY}`)
    expect(submit!.body).toEqual({ prompt: 'A lighthouse on a cliff in a storm', num_images: 2, max_images: 1, image_size: { width: 1120, height: 832 }, seed: 9 })
    expect(fal.state.requests.filter(r => r.path.endsWith('/status')).length).toBeGreaterThanOrEqual(3)
    for (const d of fal.state.requests.filter(r => r.path.startsWith('/files/'))) expect(d.headers.authorization).toBeUndefined()
    expect((await exportsOf(outDir)).hero.images).toHaveLength(2)
    expect((await metas(root))[0]).toMatchObject({ provider: 'fal', seed: 9, requestIds: ['fal-1'] })
    await noKeyIn(root, logs)
  })

  it('uses the edit endpoint with references, and reports a failed job with its detail', async () => {
    const fal = await startFalServer(KEY)
    close = fal.close
    fal.settings.failNext = true
    const root = await project({ model: 'seedream-4.5', image_input: 'https://example.com/a.png' }, 'fal')
    const error = await failure(build(root, { FAL_KEY: KEY, FAL_API_URL: fal.url }))
    expect(fal.generations()[0]!.path).toBe('/fal-ai/bytedance/seedream/v4.5/edit')
    expect(fal.generations()[0]!.body.image_urls).toEqual(['https://example.com/a.png'])
    expect(fal.generations()[0]!.body.image_size).toBe('auto_2K')
    expect(error.message).toMatch(/422 .*content policy violation/)
    expect(await metas(root)).toEqual([])
  })
})

describe('replicate', () => {
  it('creates a prediction without waiting on it (it is journaled first), polls urls.get until it succeeds, one call per independent picture', async () => {
    const rep = await startReplicateServer(KEY)
    close = rep.close
    const root = await project({ model: 'seedream-4.5', size: '2K', aspect_ratio: '3:2', max_images: 2 }, 'replicate')
    const { outDir, logs } = await build(root, { REPLICATE_API_TOKEN: KEY, REPLICATE_API_URL: rep.url })
    expect(rep.generations().map(r => r.path)).toEqual(['/models/bytedance/seedream-4.5/predictions', '/models/bytedance/seedream-4.5/predictions'])
    const first = rep.generations()[0]!
    expect(first.headers.prefer).toBeUndefined()
    expect(first.body.input).toEqual({ prompt: 'A lighthouse on a cliff in a storm', size: '2K', aspect_ratio: '3:2', sequential_image_generation: 'disabled', max_images: 1 })
    expect((await exportsOf(outDir)).hero.images).toHaveLength(2)
    expect((await metas(root))[0]).toMatchObject({ provider: 'replicate', requestIds: ['rep-1', 'rep-2'] })
    await noKeyIn(root, logs)
  })

  it('reports a failed prediction with its error, and never re-sends a prediction after a reset', async () => {
    const rep = await startReplicateServer(KEY)
    close = rep.close
    rep.settings.failNext = true
    const root = await project({ model: 'seedream-4' }, 'replicate')
    const error = await failure(build(root, { REPLICATE_API_TOKEN: KEY, REPLICATE_API_URL: rep.url }))
    expect(error.message).toContain('failed: NSFW content detected')
    expect(rep.generations()).toHaveLength(1)
    rep.fail({ reset: true })
    const reset = await failure(build(root, { REPLICATE_API_TOKEN: KEY, REPLICATE_API_URL: rep.url }))
    expect(reset.message).toContain('may have been billed')
    expect(rep.generations()).toHaveLength(2)
  })
})

describe('the cache key includes the provider', () => {
  it('the same spec with another provider is another image', async () => {
    const ark = await startArkServer(KEY)
    const fal = await startFalServer(KEY)
    close = async () => { await ark.close(); await fal.close() }
    const root = await project({ model: 'seedream-4', size: '1K' }, 'ark')
    const env = { ARK_API_KEY: KEY, ARK_API_URL: ark.url, FAL_KEY: KEY, FAL_API_URL: fal.url }
    await build(root, env)
    await writeFile(path.join(root, 'seedream.config.json'), (await readFile(path.join(root, 'seedream.config.json'), 'utf8')).replace('"ark"', '"fal"'))
    await build(root, env)
    expect([ark.generations().length, fal.generations().length]).toEqual([1, 1])
    expect((await metas(root)).map(m => m.provider).sort()).toEqual(['ark', 'fal'])
  })
})

describe('paid pictures of every host are kept as they arrive', () => {
  const stored = async (root: string) => (await metas(root)).flatMap(m => m.images.map((i: any) => i.sha256))

  it('ark: a failure after the first of two pictures keeps the first; the next build pays for the second only', async () => {
    const ark = await startArkServer(KEY)
    close = ark.close
    const root = await project({ model: 'seedream-4', max_images: 2 }, 'ark')
    const env = { ARK_API_KEY: KEY, ARK_API_URL: ark.url }
    ark.fail({}, { reset: true })
    const error = await failure(build(root, env))
    expect(error.message).toMatch(/may have been billed[\s\S]*1 paid picture\(s\) of "hero" are kept/)
    await build(root, env)
    await ark.settled()
    expect(ark.generations()).toHaveLength(3)
    expect(ark.billedPictures()).toBe(2)
    expect((await stored(root)).sort()).toEqual(ark.billedSha256().sort())
  })

  it.each([
    ['fal', startFalServer, { FAL_KEY: KEY }, 'FAL_API_URL'],
    ['replicate', startReplicateServer, { REPLICATE_API_TOKEN: KEY }, 'REPLICATE_API_URL'],
  ] as const)('%s: a job whose polls fail is journaled and resumed by the next build, not created again', async (provider, start, keys, urlVariable) => {
    const host = await start(KEY)
    close = host.close
    const root = await project({ model: 'seedream-4' }, provider)
    const env = { ...keys, [urlVariable]: host.url }
    // The submission answers; every request after it fails until the build gives up.
    host.fail({}, ...Array.from({ length: 5 }, () => ({ status: 502 })))
    await failure(build(root, env))
    const { logs } = await build(root, env)
    await host.settled()
    expect(host.generations()).toHaveLength(1)
    expect(logs.join('\n')).not.toContain(KEY)
    expect(host.billedPictures()).toBe(1)
    expect(await stored(root)).toEqual(host.billedSha256())
  })
})
