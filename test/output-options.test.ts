import type { SegmindServer } from './servers/segmind'
import { stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { thumbHashToRGBA } from 'thumbhash'
import { describe, expect, it } from 'vitest'
import { exportsOf, TEST_KEY, useServerAndFixture, viteBuild, withEnv } from './helpers'

let server: SegmindServer
let root: string
useServerAndFixture('vite-one', (s, r) => { server = s; root = r }, 'once')

async function hero(spec: object, options = {}) {
  await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: 'A lighthouse on a cliff in a storm', size: '1K', aspect_ratio: '3:2', ...spec } } }))
  const { outDir } = await withEnv({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }, () => viteBuild(root, { widths: [128, 256], ...options }))
  return { outDir, hero: (await exportsOf(outDir)).hero }
}

const bytes = async (outDir: string, url: string) => (await stat(path.join(outDir, url))).size

describe('output options', () => {
  it('placeholder: blur is a small data URI, thumbhash decodes, color and none export no image', async () => {
    const blur = (await hero({})).hero
    expect(blur.placeholder).toMatch(/^data:image\/webp;base64,/)
    expect(blur.placeholder.length).toBeLessThan(1024)
    expect(blur.thumbhash).toBeUndefined()

    const th = (await hero({ placeholder: 'thumbhash' })).hero
    expect(th.placeholder).toMatch(/^data:image\/png;base64,/)
    const decoded = thumbHashToRGBA(Buffer.from(th.thumbhash, 'base64'))
    expect(decoded.w / decoded.h).toBeCloseTo(3 / 2, 0)

    for (const kind of ['color', 'none']) {
      const h = (await hero({ placeholder: kind })).hero
      expect(h.placeholder).toBeUndefined()
      expect(h.color).toMatch(/^#[0-9a-f]{6}$/)
    }
    // One original for all of these: output options are not part of the cache key.
    expect(server.generations()).toHaveLength(1)
  })

  it('html carries sizes and loading from the spec, and escapes the alt text', async () => {
    const { hero: h } = await hero({ sizes: '(min-width: 800px) 50vw, 100vw', loading: 'eager', alt: 'Storm & "waves" <sea>' })
    expect(h.html).toContain('sizes="(min-width: 800px) 50vw, 100vw"')
    expect(h.html).toContain('loading="eager" decoding="async"')
    expect(h.html).toContain('alt="Storm &amp; &quot;waves&quot; &lt;sea&gt;"')
    expect(h.html).toContain(`width="${h.width}" height="${h.height}"`)
    expect(h.images[0].html).toBe(h.html)
  })

  it('formats, quality per format and AVIF effort reach the encoder', async () => {
    const png = (await hero({ formats: ['webp', 'png'] })).hero
    expect(png.src).toMatch(/\.png$/)
    expect(png.sources.map((s: any) => s.type)).toEqual(['image/webp'])

    // Each build empties dist/, so sizes are read right after their build.
    const avif = (h: any) => h.sources[0].srcset.split(', ').at(-1).split(' ')[0]
    const sizes = async (spec: object) => {
      const { outDir, hero: h } = await hero({ formats: ['avif', 'jpeg'], ...spec })
      return { jpeg: await bytes(outDir, h.src), avif: await bytes(outDir, avif(h)), avifUrl: avif(h) }
    }
    const high = await sizes({ quality: { jpeg: 95, avif: 80 } })
    const low = await sizes({ quality: { jpeg: 30, avif: 20 } })
    expect(low.jpeg).toBeLessThan(high.jpeg)
    expect(low.avif).toBeLessThan(high.avif)
    expect((await sizes({ avifEffort: 6 })).avifUrl).not.toBe((await sizes({})).avifUrl)
  })
})
