import type { SegmindServer } from './servers/segmind'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { copyFixture, exportsOf, listFiles, TEST_KEY, viteBuild, withEnv } from './helpers'
import { startSegmindServer } from './servers/segmind'

let server: SegmindServer
beforeEach(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
})
afterEach(() => server.close())

const env = () => ({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url })
const options = { widths: [64, 128, 256, 4000] }

describe('vite build against the loopback Segmind server', () => {
  it('generates each unique spec once, emits every width × format, and exports the documented shape', async () => {
    const root = await copyFixture('vite-basic')
    const { outDir, files } = await withEnv(env(), () => viteBuild(root, options))

    // hero and card are two unique specs; hero is imported from two modules.
    expect(server.generations()).toHaveLength(2)
    expect(server.generations().map(r => r.path).sort()).toEqual(['/v1/seedream-4', '/v2/seedream-4.5'])
    const heroBody = server.generations().find(r => r.path === '/v2/seedream-4.5')!.body
    expect(heroBody).toMatchObject({ prompt: 'Misty mountain lake at dawn', aspect_ratio: '16:9', size: '2K', max_images: 1 })

    const { hero, card, again } = await exportsOf(outDir)
    expect(again).toEqual(hero)
    expect(Object.keys(hero).sort()).toEqual(['alt', 'blurDataURL', 'color', 'format', 'height', 'html', 'images', 'placeholder', 'prompt', 'sources', 'src', 'srcset', 'thumbhash', 'width'])
    // What next/image's StaticImageData and Astro's ImageMetadata read.
    expect(hero.format).toBe('jpeg')
    expect(hero.blurDataURL).toBe(hero.placeholder)
    expect(hero.alt).toBe('A misty lake')
    expect(hero.prompt).toBe('Misty mountain lake at dawn')
    expect(card.alt).toBe(card.prompt)
    expect(hero.sources.map((s: any) => s.type)).toEqual(['image/avif', 'image/webp'])
    expect(hero.color).toMatch(/^#[0-9a-f]{6}$/)
    expect(hero.placeholder).toMatch(/^data:image\/webp;base64,/)
    expect(hero.images).toHaveLength(1)
    expect(hero.html).toBe(`<picture><source type="image/avif" srcset="${hero.sources[0].srcset}" sizes="100vw">`
      + `<source type="image/webp" srcset="${hero.sources[1].srcset}" sizes="100vw">`
      + `<img src="${hero.src}" srcset="${hero.srcset}" sizes="100vw" width="256" height="144" alt="A misty lake" loading="lazy" decoding="async" style="max-width:100%;height:auto"></picture>`)

    // The server answers 2K 16:9 on seedream-4.5 at 2560×1440 (2048×1152 scaled up to 4.5's
    // minimum area); 256 is the largest width asked for that fits, 4000 is never upscaled to.
    expect(hero.src).toMatch(/^\/assets\/hero-256\.[0-9a-f]{10}\.jpg$/)
    expect([hero.width, hero.height]).toEqual([256, 144])
    const emitted = files.filter(f => f.startsWith('assets/hero-'))
    expect(emitted).toHaveLength(9)
    for (const file of emitted) {
      const [, width, ext] = file.match(/hero-(\d+)\.[0-9a-f]{10}\.(\w+)$/)!
      const meta = await sharp(path.join(outDir, file)).metadata()
      expect(meta.width).toBe(Number(width))
      expect(meta.height).toBe(Math.round(Number(width) * 144 / 256))
      expect({ jpg: 'jpeg', webp: 'webp', avif: 'heif' }[ext!]).toBe(meta.format)
    }
    for (const url of [hero.src, ...hero.srcset.split(', ').map((s: string) => s.split(' ')[0]), ...hero.sources.flatMap((s: any) => s.srcset.split(', ').map((c: string) => c.split(' ')[0]))])
      expect(files).toContain(url.slice(1))
    expect(hero.srcset.split(', ').map((s: string) => s.split(' ')[1])).toEqual(['64w', '128w', '256w'])

    // card: 1K 4:3 is 1024×768, so every width asked for but 4000 fits.
    expect([card.width, card.height]).toEqual([256, 192])
    expect(files.filter(f => f.startsWith('assets/card-'))).toHaveLength(9)
  })

  it('stores originals in .seedream with metadata, and a warm build makes no call and no sharp work', async () => {
    const root = await copyFixture('vite-basic')
    const cold = await withEnv(env(), () => viteBuild(root, options))
    const coldExports = await exportsOf(cold.outDir)
    const stored = await listFiles(path.join(root, '.seedream'))
    expect(stored.filter(f => f.endsWith('meta.json'))).toHaveLength(2)
    const meta = JSON.parse(await readFile(path.join(root, '.seedream', stored.find(f => f.endsWith('meta.json'))!), 'utf8'))
    expect(meta).toMatchObject({ provider: 'segmind', requestIds: [expect.any(String)], remainingCredits: expect.any(Number) })
    expect(meta.images[0]).toMatchObject({ file: '0.jpeg', format: 'jpeg', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })

    const warm = await withEnv(env(), () => viteBuild(root, options))
    expect(server.generations()).toHaveLength(2)
    expect(warm.logs.join('\n')).toMatch(/0 generated \(~\$0\.00\), 2 reused, 0 placeholder\(s\); 0 variants made, 18 reused; \d+ KiB emitted/)
    expect(await exportsOf(warm.outDir)).toEqual(coldExports)

    // The cache is the source of truth: with no key at all, the build still succeeds.
    const offline = await withEnv({ SEGMIND_API_URL: server.url }, () => viteBuild(root, options))
    expect(await exportsOf(offline.outDir)).toEqual(coldExports)
    expect(server.generations()).toHaveLength(2)
  })

  it('regenerates only the spec whose picture changed; alt and output options keep the same original', async () => {
    const root = await copyFixture('vite-basic')
    await withEnv(env(), () => viteBuild(root, options))
    const config = path.join(root, 'seedream.config.mjs')
    const text = await readFile(config, 'utf8')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(config, text.replace('A misty lake', 'Another alt'))
    await withEnv(env(), () => viteBuild(root, { widths: [64] }))
    expect(server.generations()).toHaveLength(2)
    await writeFile(config, text.replace('at dawn', 'at dusk'))
    await withEnv(env(), () => viteBuild(root, options))
    expect(server.generations()).toHaveLength(3)
    expect(server.generations()[2]!.body.prompt).toBe('Misty mountain lake at dusk')
  })

  it('never writes the API key into the bundle, the caches or the logs', async () => {
    const root = await copyFixture('vite-basic')
    const { logs } = await withEnv(env(), () => viteBuild(root, options))
    expect(server.generations()[0]!.headers['x-api-key']).toBe(TEST_KEY)
    const all = [...await listFiles(root)].filter(f => !f.startsWith('node_modules/.vite'))
    for (const file of all)
      expect((await readFile(path.join(root, file))).includes(TEST_KEY), file).toBe(false)
    expect(logs.join('\n')).not.toContain(TEST_KEY)
  })

  it('respects Vite\'s base in every exported URL', async () => {
    const root = await copyFixture('vite-basic')
    const { outDir } = await withEnv(env(), () => viteBuild(root, options, { base: '/shop/' }))
    const { hero } = await exportsOf(outDir)
    expect(hero.src).toMatch(/^\/shop\/assets\/hero-256\./)
    expect(hero.sources[0].srcset).toMatch(/^\/shop\/assets\/hero-64\.[0-9a-f]+\.avif 64w/)
  })

  it.each([
    ['build.assetsDir', { assetsDir: 'static' }, /^\/static\/hero-256\.[0-9a-f]{10}\.jpg$/],
    ['a string assetFileNames (SvelteKit\'s)', { rollupOptions: { output: { assetFileNames: '_app/immutable/assets/[name].[hash][extname]' } } }, /^\/_app\/immutable\/assets\/hero-256\.[0-9a-f]{10}\.jpg$/],
    ['a function assetFileNames', { rollupOptions: { output: { assetFileNames: (info: { name?: string }) => info.name?.endsWith('.jpg') ? 'jpg/[name]-[hash:8].[ext]' : 'img/[name][extname]' } } }, /^\/jpg\/hero-256-[0-9a-f]{8}\.jpg$/],
  ])('puts pictures where Vite puts assets: %s', async (_, build, src) => {
    const root = await copyFixture('vite-basic')
    const { outDir, files } = await withEnv(env(), () => viteBuild(root, options, { build: { outDir: path.join(root, 'dist'), emptyOutDir: true, modulePreload: { polyfill: false }, ...build } }))
    const { hero } = await exportsOf(outDir)
    expect(hero.src).toMatch(src)
    for (const url of [hero.src, ...hero.srcset.split(', ').map((c: string) => c.split(' ')[0])])
      expect(files).toContain(url.slice(1))
  })
})
