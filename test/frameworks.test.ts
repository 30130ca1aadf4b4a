import type { ChildProcess } from 'node:child_process'
import type { Browser } from 'playwright-core'
import type { SegmindServer } from './servers/segmind'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { frameworkApp, freePort, hasChromium, launchChromium, loadPage, run, startServer } from './frameworks'
import { TEST_KEY } from './helpers'
import { startSegmindServer } from './servers/segmind'

const VITE = path.resolve(import.meta.dirname, '../node_modules/vite/bin/vite.js')
/** What every framework test builds with: the loopback Segmind server, never frozen. */
const env = (api: SegmindServer) => ({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: api.url, CI: '', SEEDREAM_FROZEN: '' })

/** Each picture URL of a page answers 200 with an image type and the framework's immutable cache header, and is painted. */
function expectPictures(result: Awaited<ReturnType<typeof loadPage>>, prefix: RegExp, immutable = true): void {
  expect(result.errors).toEqual([])
  expect(result.sources.length).toBeGreaterThanOrEqual(6)
  for (const url of result.sources)
    expect(url).toMatch(prefix)
  expect(result.images.length).toBeGreaterThan(0)
  for (const image of result.images) {
    expect(image.status, image.url).toBe(200)
    expect(image.type, image.url).toMatch(/^image\/(?:avif|webp|jpeg)$/)
    if (immutable)
      expect(image.cache, image.url).toMatch(/immutable/)
  }
  expect(result.painted.length).toBeGreaterThanOrEqual(2)
  for (const img of result.painted)
    expect(img.width, img.src).toBeGreaterThan(0)
}

describe.skipIf(!hasChromium)('SvelteKit (adapter-node): vite build, node build/index.js, vite dev', () => {
  let api: SegmindServer
  let app: string
  let browser: Browser
  let server: ChildProcess | undefined
  let dev: ChildProcess | undefined

  beforeAll(async () => {
    api = await startSegmindServer({ keys: [TEST_KEY] })
    app = await frameworkApp('sveltekit')
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    server?.kill()
    dev?.kill()
    await browser?.close()
    await api?.close()
  })

  it('builds once, server-renders the picture, and serves it from _app/immutable/assets/ with immutable caching', async () => {
    const out = await run(process.execPath, [VITE, 'build'], app, env(api))
    expect(out).toMatch(/\[seedream\] 1 generated/)
    expect(api.billedPictures()).toBe(1)
    const port = await freePort()
    server = await startServer(process.execPath, ['build/index.js'], app, { PORT: String(port), HOST: '127.0.0.1' }, /Listening on/)
    const base = `http://127.0.0.1:${port}/`
    // Server-rendered: the markup is in the HTML before any script runs.
    expect(await (await fetch(base)).text()).toMatch(/<picture><source type="image\/avif" srcset="\/_app\/immutable\/assets\/hero-320\.[0-9a-f]{10}\.avif 320w/)
    expectPictures(await loadPage(browser, base), /^\/_app\/immutable\/assets\/hero-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg)$/)
  }, 120_000)

  it('serves the stored picture in `vite dev`, paying nothing more', async () => {
    const port = await freePort()
    dev = await startServer(process.execPath, [VITE, 'dev', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], app, env(api), /Local:/)
    expectPictures(await loadPage(browser, `http://127.0.0.1:${port}/`), /^\/@seedream\/[0-9a-f]{16}\/[0-9a-f]{8}\/\d+\.(?:avif|webp|jpg)$/)
    expect(api.billedPictures()).toBe(1)
  }, 120_000)
})
