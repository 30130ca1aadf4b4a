import type { SegmindServer } from './servers/segmind'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import vm from 'node:vm'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUNDLERS } from './bundlers'
import { copyFixture, listFiles, TEST_KEY, withEnv } from './helpers'
import { startSegmindServer } from './servers/segmind'

let server: SegmindServer
beforeEach(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
})
afterEach(() => server.close())

/** What the bundle put on globalThis: ES output is imported, webpack-style output run as a script. */
async function run(outDir: string, esm: boolean): Promise<Record<string, any>> {
  const file = path.join(outDir, 'main.js')
  if (!esm) {
    const sandbox: Record<string, any> = {}
    vm.runInNewContext(await readFile(file, 'utf8'), sandbox)
    return sandbox.__seedream
  }
  delete (globalThis as any).__seedream
  await import(`${pathToFileURL(file).href}?t=${Date.now()}`)
  return (globalThis as any).__seedream
}

/** The emitted file a URL points at: under the public path, or a file: URL from import.meta.url. */
function fileOf(url: string, outDir: string, publicPath: string): string {
  if (url.startsWith('file:'))
    return path.relative(outDir, fileURLToPath(url)).split(path.sep).join('/')
  expect(url.startsWith(publicPath), `${url} starts with ${publicPath}`).toBe(true)
  return url.slice(publicPath.length)
}

const urls = (srcset: string) => srcset.split(', ').map(c => c.split(' ')[0]!)

describe.each(Object.entries(BUNDLERS))('%s', (name, build) => {
  it('emits hashed variants, exports URLs under the public path that point at them, and reuses the cache', async () => {
    const root = await copyFixture('bundlers')
    const env = { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }
    const outDir = await withEnv(env, () => build(root, { widths: [64, 96] }))
    expect(server.generations()).toHaveLength(3)
    const files = await listFiles(outDir)
    const publicPath = name === 'rollup' ? '' : '/static/'
    const { hero, card, tile } = await run(outDir, name === 'rollup' || name === 'esbuild')

    for (const [image, count] of [[hero, 6], [card, 6], [tile, 4]] as const) {
      const all = [image.src, ...urls(image.srcset), ...image.sources.flatMap((s: any) => urls(s.srcset))]
      const emitted = [...new Set(all.map(u => fileOf(u, outDir, publicPath)))]
      expect(emitted).toHaveLength(count)
      for (const file of emitted) {
        expect(files).toContain(file)
        expect(file).toMatch(/^assets\/\w+-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg|png)$/)
        const meta = await sharp(path.join(outDir, file)).metadata()
        expect(meta.width).toBe(Number(file.match(/-(\d+)\./)![1]))
      }
    }
    expect([hero.width, hero.height]).toEqual([96, 54])
    expect([card.width, card.height]).toEqual([96, 128])
    expect(tile.src).toMatch(/tile-96\.[0-9a-f]{10}\.png$/)
    expect(tile.sources.map((s: any) => s.type)).toEqual(['image/webp'])

    const again = await withEnv({ SEGMIND_API_URL: server.url }, () => build(root, { widths: [64, 96] }))
    expect(server.generations()).toHaveLength(3)
    expect(await listFiles(again)).toEqual(files)
  })
})

describe('public paths', () => {
  it('webpack follows output.publicPath, including a CDN URL', async () => {
    const root = await copyFixture('bundlers')
    const outDir = await withEnv({}, () => BUNDLERS.webpack!(root, { provider: 'placeholder', widths: [64] }, 'https://cdn.example.com/v2/'))
    const { hero } = await run(outDir, false)
    expect(hero.src).toMatch(/^https:\/\/cdn\.example\.com\/v2\/assets\/hero-64\.[0-9a-f]{10}\.jpg$/)
  })

  it('esbuild writes next to its output and uses relative URLs without a publicPath', async () => {
    const root = await copyFixture('bundlers')
    const outDir = await withEnv({}, () => BUNDLERS.esbuild!(root, { provider: 'placeholder', widths: [64] }, ''))
    const { hero } = await run(outDir, true)
    expect(hero.src).toMatch(/^\.\/assets\/hero-64\.[0-9a-f]{10}\.jpg$/)
    expect(await listFiles(outDir)).toContain(hero.src.slice(2))
  })
})
