import type { SegmindServer } from './servers/segmind'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bundleExports, BUNDLERS, expectFixtureEmitted } from './bundlers'
import { copyFixture, listFiles, TEST_KEY, withEnv } from './helpers'
import { startSegmindServer } from './servers/segmind'

let server: SegmindServer
beforeEach(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
})
afterEach(() => server.close())

describe.each(Object.entries(BUNDLERS))('%s', (name, build) => {
  it('emits hashed variants, exports URLs under the public path that point at them, and reuses the cache', async () => {
    const root = await copyFixture('bundlers')
    const env = { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }
    const outDir = await withEnv(env, () => build(root, { widths: [64, 96] }))
    expect(server.generations()).toHaveLength(3)
    const { files, tile } = await expectFixtureEmitted(outDir, name)
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
    const { hero } = await bundleExports(outDir, false)
    expect(hero.src).toMatch(/^https:\/\/cdn\.example\.com\/v2\/assets\/hero-64\.[0-9a-f]{10}\.jpg$/)
  })

  it('esbuild writes next to its output and uses relative URLs without a publicPath', async () => {
    const root = await copyFixture('bundlers')
    const outDir = await withEnv({}, () => BUNDLERS.esbuild!(root, { provider: 'placeholder', widths: [64] }, ''))
    const { hero } = await bundleExports(outDir, true)
    expect(hero.src).toMatch(/^\.\/assets\/hero-64\.[0-9a-f]{10}\.jpg$/)
    expect(await listFiles(outDir)).toContain(hero.src.slice(2))
  })
})
