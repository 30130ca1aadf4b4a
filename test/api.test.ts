import type { SegmindServer } from './servers/segmind'
import { execFile } from 'node:child_process'
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { image } from '../src/api'
import { copyFixture, exportsOf, FIXTURES, TEST_KEY, viteBuild, withEnv } from './helpers'
import { startSegmindServer } from './servers/segmind'

/** The function API, with no bundler: the same object a `?seedream` import gets, files written to outDir. */
let server: SegmindServer
beforeEach(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
})
afterEach(() => server.close())

const quiet = { info: () => {}, warn: () => {} }
const env = () => ({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url, CI: undefined, SEEDREAM_FROZEN: undefined })

describe('image(), the function API', () => {
  it('returns exactly what a ?seedream import exports, from the same store, with no second payment', async () => {
    const root = await copyFixture('vite-basic')
    const options = { widths: [64, 128] }
    const { outDir } = await withEnv(env(), () => viteBuild(root, options))
    const { hero: imported } = await exportsOf(outDir)
    expect(server.billedPictures()).toBe(2)

    const hero = await withEnv(env(), () => image('hero', { root, ...options, outDir: 'api-out/assets', urlPrefix: '/assets/', logger: quiet }))
    expect(hero).toEqual(imported)
    // Paid once, by the build; the function read the store.
    expect(server.billedPictures()).toBe(2)
    const written = (await readdir(path.join(root, 'api-out/assets'))).sort()
    expect(written).toEqual(hero.images.flatMap(p => [p.src, ...p.srcset.split(', '), ...p.sources.flatMap(s => s.srcset.split(', '))])
      .map(u => u.split(' ')[0]!.replace('/assets/', '')).filter((u, i, all) => all.indexOf(u) === i).sort())
    for (const file of written) {
      const { width } = await sharp(path.join(root, 'api-out/assets', file)).metadata()
      expect(file).toContain(`-${width}.`)
    }
  })

  it('takes a spec object, generates it once, and writes each variant once', async () => {
    const root = await copyFixture('vite-one')
    const spec = { prompt: 'A lighthouse in fog', model: 'seedream-4' as const, size: '1K' as const, widths: [100, 200], formats: ['webp' as const, 'jpeg' as const] }
    const first = await withEnv(env(), () => image(spec, { root, name: 'lighthouse', outDir: 'out', urlPrefix: 'https://cdn.example/', logger: quiet }))
    expect(server.billedPictures()).toBe(1)
    expect(first.src).toMatch(/^https:\/\/cdn\.example\/lighthouse-200\.[0-9a-f]{10}\.jpg$/)
    expect(first.sources).toEqual([{ type: 'image/webp', srcset: expect.stringMatching(/^https:\/\/cdn\.example\/lighthouse-100\.\w+\.webp 100w, https:\/\/cdn\.example\/lighthouse-200\.\w+\.webp 200w$/) }])
    expect(first.html).toContain(`<img src="${first.src}"`)
    const file = path.join(root, 'out', path.basename(first.src))
    const before = await stat(file)
    const again = await withEnv(env(), () => image(spec, { root, name: 'lighthouse', outDir: 'out', urlPrefix: 'https://cdn.example/', logger: quiet }))
    expect(again).toEqual(first)
    expect(server.billedPictures()).toBe(1)
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs)
  })

  it('answers many calls for one picture at once (a shortcode on many pages): one payment, every call served', async () => {
    const root = await copyFixture('vite-one')
    const spec = { prompt: 'A kite over dunes', model: 'seedream-4' as const, size: '1K' as const, widths: [64, 128] }
    const cold = Array.from({ length: 6 }, () => withEnv(env(), () => image(spec, { root, name: 'kite', outDir: 'first', logger: quiet })))
    // Once the variants are cached, every call reaches the file writes at the same moment.
    const results = await Promise.all([...await Promise.all(cold), ...await Promise.all(Array.from({ length: 6 }, () =>
      withEnv(env(), () => image(spec, { root, name: 'kite', outDir: 'out', logger: quiet }))))])
    expect(server.billedPictures()).toBe(1)
    expect(new Set(results.map(r => r.src)).size).toBe(1)
    const written = await readdir(path.join(root, 'out'))
    expect(written.sort()).toEqual(written.filter(f => /^kite-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg)$/.test(f)).sort())
    expect(written).toHaveLength(6)
  })

  it('refuses a bad spec before any request, naming the field and what is allowed', async () => {
    const root = await copyFixture('vite-one')
    const error = await withEnv(env(), () => image({ prompt: 'x', size: '3K' } as any, { root, name: 'bad', logger: quiet })).catch(e => e)
    expect(error.message).toMatch(/spec "bad"[\s\S]*size: must be one of "1K", "2K", "4K", "custom" \(got "3K"\)/)
    const missing = await withEnv(env(), () => image('nope', { root, logger: quiet })).catch(e => e)
    expect(missing.message).toMatch(/No spec named "nope"/)
    expect(server.state.requests).toHaveLength(0)
  })

  it('works from a plain Node script that imports unplugin-seedream/api (the README example)', async () => {
    const root = await copyFixture('api-script')
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(FIXTURES, 'api-script/build.mjs'), root], { env: { ...process.env, ...env(), CI: '' } })
    const { hero, badge } = JSON.parse(stdout)
    expect(server.billedPictures()).toBe(2)
    expect(hero.width).toBe(640)
    expect(badge.srcset).toMatch(/^\/img\/badge-256\.\w+\.jpg 256w$/)
    const html = await readFile(path.join(root, 'site/index.html'), 'utf8')
    expect(html).toContain(hero.html)
    for (const url of [hero.src, badge.src])
      await expect(stat(path.join(root, 'site', url))).resolves.toBeTruthy()
  })
})
