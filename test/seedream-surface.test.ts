import type { SegmindServer } from './servers/segmind'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { exportsOf, listFiles, TEST_KEY, useServerAndFixture, viteBuild, withEnv } from './helpers'

let server: SegmindServer
let root: string
useServerAndFixture('vite-one', (s, r) => { server = s; root = r })

const build = (options = {}) => withEnv({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }, () =>
  viteBuild(root, { widths: [64], formats: ['webp', 'jpeg'], retryDelay: 5, ...options }))
const spec = (hero: object) => writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: 'A lighthouse on a cliff in a storm', size: '1K', aspect_ratio: '3:2', ...hero } } }))
const metas = async () => Promise.all((await listFiles(path.join(root, '.seedream'))).filter(f => f.endsWith('meta.json'))
  .map(async f => JSON.parse(await readFile(path.join(root, '.seedream', f), 'utf8'))))
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure') }, e => e as Error)

describe('several images per spec', () => {
  it('seedream-4.5: one async job, polled until done, every picture cached with its own variants', async () => {
    await spec({ model: 'seedream-4.5', max_images: 3, sequential_image_generation: 'auto' })
    const { outDir, files } = await build()
    const submissions = server.generations()
    expect(submissions.map(r => r.path)).toEqual(['/v2/seedream-4.5'])
    expect(submissions[0]!.body).toMatchObject({ max_images: 3, sequential_image_generation: 'auto' })
    expect(server.state.requests.filter(r => r.path.endsWith('/status')).length).toBeGreaterThanOrEqual(3)
    // The key goes to Segmind only, never to the hosts of the result files.
    const downloads = server.state.requests.filter(r => r.path.startsWith('/files/'))
    expect(downloads).toHaveLength(3)
    for (const d of downloads) expect(d.headers['x-api-key']).toBeUndefined()

    const { hero } = await exportsOf(outDir)
    expect(hero.images).toHaveLength(3)
    expect(hero.src).toBe(hero.images[0].src)
    expect(new Set(hero.images.map((i: any) => i.src)).size).toBe(3)
    expect(files.filter(f => f.endsWith('.jpg'))).toHaveLength(3)
    const [meta] = await metas()
    expect(meta.images.map((i: any) => i.file)).toEqual(['0.jpeg', '1.jpeg', '2.jpeg'])
    expect(meta.requestIds).toEqual(['job-1'])
  })

  it('accepts the output as one string, and never keeps more pictures than asked', async () => {
    server.v2.settings.outputAsString = true
    await spec({ model: 'seedream-4.5', max_images: 2 })
    const { outDir } = await build()
    expect((await exportsOf(outDir)).hero.images).toHaveLength(2)
  })

  it('a FAILED job is a clear error with the provider\'s message, and leaves no entry', async () => {
    server.v2.settings.failNext = true
    await spec({ model: 'seedream-4.5', max_images: 2 })
    const error = await failure(build())
    expect(error.message).toContain('422')
    expect(error.message).toContain('may contain sensitive information')
    expect(await metas()).toEqual([])
  })

  it('seedream-4: one v1 call per picture, each for one picture', async () => {
    await spec({ model: 'seedream-4', max_images: 2 })
    const { outDir } = await build()
    expect(server.generations().map(r => [r.path, r.body.max_images])).toEqual([['/v1/seedream-4', 1], ['/v1/seedream-4', 1]])
    expect((await exportsOf(outDir)).hero.images).toHaveLength(2)
  })
})

describe('reference images', () => {
  const ref = async (name: string, color: string) => {
    await writeFile(path.join(root, name), await sharp({ create: { width: 32, height: 32, channels: 3, background: color } }).png().toBuffer())
  }

  it('uploads a local reference once, sends its URL, and regenerates when its bytes change', async () => {
    await ref('ref.png', '#ff0000')
    await spec({ model: 'seedream-4', image_input: ['ref.png', 'https://example.com/style.jpg'], aspect_ratio: 'match_input_image' })
    await build()
    expect(server.v2.uploads).toHaveLength(1)
    const body = server.generations()[0]!.body
    expect(body.image_input).toEqual([expect.stringMatching(/^https:\/\/assets\.example\.com\/\w+\.png$/), 'https://example.com/style.jpg'])
    // Seedream 4.0's page lists no match_input_image: matching the input is its default.
    expect(body).not.toHaveProperty('aspect_ratio')
    const [meta] = await metas()
    expect(meta.picture.image_input[0]).toMatch(/^local:ref\.png#[0-9a-f]{64}$/)

    await build()
    expect(server.generations()).toHaveLength(1)
    await ref('ref.png', '#0000ff')
    await build()
    expect(server.generations()).toHaveLength(2)
  })

  it('resolves paths in a spec file from that file, and refuses a path outside the root or a missing file', async () => {
    const { mkdir } = await import('node:fs/promises')
    await mkdir(path.join(root, 'src/cards'), { recursive: true })
    await ref('src/cards/fox.png', '#ff8800')
    await writeFile(path.join(root, 'src/cards/card.seedream.json'), JSON.stringify({ prompt: 'A fox', size: '1K', image_input: './fox.png' }))
    await writeFile(path.join(root, 'src/main.js'), 'import card from \'./cards/card.seedream.json?seedream\'\nglobalThis.__seedream = { card }\n')
    await build()
    expect(server.v2.uploads).toHaveLength(1)

    await writeFile(path.join(root, 'src/cards/card.seedream.json'), JSON.stringify({ prompt: 'A fox', image_input: '../../../outside.png' }))
    const outside = await failure(build())
    expect(outside.message).toContain('spec "card" in src/cards/card.seedream.json')
    expect(outside.message).toContain('image_input[0]: "../../../outside.png" is outside the project root')
    await writeFile(path.join(root, 'src/cards/card.seedream.json'), JSON.stringify({ prompt: 'A fox', image_input: ['./nope.png'] }))
    expect((await failure(build())).message).toContain('image_input[0]: no file at src/cards/nope.png (paths are relative to the spec file)')
    expect(server.generations()).toHaveLength(1)
  })
})

describe('seed', () => {
  it('is sent when set and kept in the entry with the request id', async () => {
    await spec({ model: 'seedream-4.5', seed: 1234 })
    await build()
    expect(server.generations()[0]!.body.seed).toBe(1234)
    const [meta] = await metas()
    expect(meta.seed).toBe(1234)
    expect(meta.requestIds).toHaveLength(1)
  })

  it('keeps the seed the provider reports when none was set', async () => {
    await spec({ model: 'seedream-4' })
    await build()
    expect((await metas())[0].seed).toBe(424242)
  })
})
