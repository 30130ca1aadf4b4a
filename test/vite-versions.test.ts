import type { SegmindServer } from './servers/segmind'
import path from 'node:path'
import sharp from 'sharp'
import * as vite8 from 'vite'
import * as vite6 from 'vite-6'
import * as vite7 from 'vite-7'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import seedream from '../src/vite'
import { copyFixture, exportsOf, listFiles, TEST_KEY, until, watchHmr, withEnv } from './helpers'
import { TESTED } from './peers'
import { startSegmindServer } from './servers/segmind'

/**
 * The peer range for vite is proven here: the oldest version claimed, the newest of every
 * major in between and the newest, each doing a real production build and a dev server with
 * the hot swap (Vite 6's environment API: `server.environments`, `reloadModule`).
 */

/** What the test uses of a Vite; its types differ between versions, so each is cast to this. */
interface AnyVite {
  version: string
  build: (config: object) => Promise<unknown>
  createServer: (config: object) => Promise<any>
  createLogger: (level: 'info', options: object) => any
}

const VITES: Record<string, AnyVite> = { 'vite-6': vite6, 'vite-7': vite7, 'vite': vite8 } as unknown as Record<string, AnyVite>
const MATRIX = TESTED.vite!.map(name => [`${name} (${VITES[name]!.version})`, VITES[name]!] as const)

let api: SegmindServer
beforeEach(async () => {
  api = await startSegmindServer({ keys: [TEST_KEY], latencyMs: 300 })
})
afterEach(() => api.close())

const urls = (srcset: string) => srcset.split(', ').map(c => c.split(' ')[0]!)
const TYPES: Record<string, string> = { heif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg' }

describe.each(MATRIX)('%s', (_, vite) => {
  it('builds: emits every variant and the module exports URLs that point at them', async () => {
    const root = await copyFixture('vite-basic')
    const outDir = path.join(root, 'dist')
    const logger = vite.createLogger('info', { allowClearScreen: false })
    const lines: string[] = []
    for (const level of ['info', 'warn', 'warnOnce', 'error'] as const)
      logger[level] = (msg: string) => void lines.push(`${level}: ${msg}`)
    await withEnv({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: api.url }, () => vite.build({
      root,
      configFile: false,
      logLevel: 'info',
      customLogger: logger,
      // The plugin's type is the newest Vite's; the object is the same for every version.
      plugins: [seedream({ widths: [64, 128, 256, 4000] }) as any],
      build: { outDir, emptyOutDir: true, modulePreload: { polyfill: false } },
    }))

    expect(api.generations()).toHaveLength(2)
    expect(lines.join('\n')).toMatch(/\[seedream\] 2 generated \(~\$\d+\.\d\d, [\d.]+ credits left\), 0 reused, 0 placeholder\(s\); 18 variants made, 0 reused/)
    const files = await listFiles(outDir)
    const { hero, card, again } = await exportsOf(outDir)
    expect(again).toEqual(hero)
    expect(hero.alt).toBe('A misty lake')
    expect(hero.src).toMatch(/^\/assets\/hero-256\.[0-9a-f]{10}\.jpg$/)
    expect([hero.width, hero.height]).toEqual([256, 144])
    expect(hero.sources.map((s: any) => s.type)).toEqual(['image/avif', 'image/webp'])
    expect(hero.html).toContain(`<img src="${hero.src}" srcset="${hero.srcset}"`)
    expect([card.width, card.height]).toEqual([256, 192])

    for (const image of [hero, card]) {
      const all = [...new Set([image.src, ...urls(image.srcset), ...image.sources.flatMap((s: any) => urls(s.srcset))])]
      expect(all).toHaveLength(9)
      for (const url of all) {
        expect(files).toContain(url.slice(1))
        const meta = await sharp(path.join(outDir, url)).metadata()
        expect(meta.width).toBe(Number(url.match(/-(\d+)\.[0-9a-f]{10}\.\w+$/)![1]))
      }
    }
    expect(files.filter(f => /^assets\/(?:hero|card)-/.test(f))).toHaveLength(18)
  })

  it('serves: a ?seedream module, its hot swap when the picture lands, and variant URLs as images', async () => {
    const root = await copyFixture('vite-basic')
    const server = await vite.createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [seedream({ apiKey: TEST_KEY, apiUrl: api.url, widths: [64, 128], formats: ['avif', 'webp', 'jpeg'] }) as any],
      server: { host: '127.0.0.1', port: 0, strictPort: false },
    })
    let socket: WebSocket | undefined
    try {
      await server.listen()
      const base = (server.resolvedUrls.local[0] as string).replace(/\/$/, '')
      const hmr = await watchHmr(base)
      socket = hmr.socket
      const { updates } = hmr

      const main = await (await fetch(`${base}/src/main.js`)).text()
      const heroUrl = main.match(/import \w+ from "([^"]*hero[^"]*)"/)![1]!
      expect(heroUrl).toContain('?seedream')
      const exported = async () => {
        const res = await fetch(`${base}${heroUrl}${heroUrl.includes('?') ? '&' : '?'}t=${Date.now()}`)
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toMatch(/javascript/)
        const code = await res.text()
        return JSON.parse(code.match(/^const images = withHtml\((\[.*\]), alt, /m)![1]!)[0]
      }
      const first = await exported()
      expect(first.src).toMatch(/^\/@seedream\/[0-9a-f]{16}\/[0-9a-f]{8}\/128\.jpg$/)

      // When the generation lands, the module is reloaded in every environment.
      await until(() => updates.some(u => u.includes('hero?seedream')), 'a hot update of hero', 30_000, () => `updates: ${updates.join(', ')}`)
      expect(updates.filter(u => u.startsWith('full-reload'))).toEqual([])
      const real = await exported()
      expect(real.src).not.toBe(first.src)
      expect(api.generations().length).toBeGreaterThanOrEqual(1)

      const variants = [real.src, ...real.sources.flatMap((s: any) => urls(s.srcset))]
      expect(variants).toHaveLength(5)
      for (const url of variants) {
        const res = await fetch(`${base}${url}`)
        expect(res.status, url).toBe(200)
        const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata()
        expect(meta.width).toBe(Number(url.match(/\/(\d+)\.\w+$/)![1]))
        expect(res.headers.get('content-type')).toBe(TYPES[meta.format!])
      }
    }
    finally {
      socket?.close()
      await server.close()
    }
  })
})
