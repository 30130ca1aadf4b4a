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
function expectPictures(result: Awaited<ReturnType<typeof loadPage>>, prefix: RegExp, immutable = true, images = 2): void {
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
  expect(result.painted.length).toBeGreaterThanOrEqual(images)
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

const NEXT = path.resolve(import.meta.dirname, '../node_modules/next/dist/bin/next')

describe.skipIf(!hasChromium)('Next.js with withSeedream (webpack): next build --webpack, next start, next dev --webpack', () => {
  let api: SegmindServer
  let app: string
  let browser: Browser
  const servers: ChildProcess[] = []
  const nextEnv = () => ({ ...env(api), NEXT_TELEMETRY_DISABLED: '1' })

  beforeAll(async () => {
    api = await startSegmindServer({ keys: [TEST_KEY] })
    app = await frameworkApp('next')
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    servers.forEach(s => s.kill())
    await browser?.close()
    await api?.close()
  })

  it('writes each picture once to .next/static/media, prints one summary, and serves it under basePath with immutable caching, also through next/image', async () => {
    const out = await run(process.execPath, [NEXT, 'build', '--webpack'], app, nextEnv())
    expect(out.match(/\d+ generated \(~\$/g)).toHaveLength(1)
    expect(out).toMatch(/1 generated/)
    expect(api.billedPictures()).toBe(1)
    const port = await freePort()
    servers.push(await startServer(process.execPath, [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'], app, nextEnv(), /Ready in/))
    const result = await loadPage(browser, `http://127.0.0.1:${port}/shop`)
    expectPictures(result, /^\/shop\/_next\/static\/media\/hero-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg)$/)
    // next/image got the export itself (src, width, height, blurDataURL).
    expect(result.painted.some(p => /\/shop\/_next\/static\/media\/hero-640\.[0-9a-f]{10}\.jpg$/.test(p.src))).toBe(true)
  }, 180_000)

  it('refuses plain next build (Turbopack, not supported yet) loudly instead of shipping broken pictures', async () => {
    await expect(run(process.execPath, [NEXT, 'build'], app, nextEnv())).rejects.toThrow(/using Turbopack, with a `webpack` config and no `turbopack` config/)
  }, 120_000)

  it('serves the stored picture in next dev --webpack, paying nothing more', async () => {
    const port = await freePort()
    servers.push(await startServer(process.execPath, [NEXT, 'dev', '--webpack', '-p', String(port), '-H', '127.0.0.1'], app, nextEnv(), /Ready in/))
    const result = await loadPage(browser, `http://127.0.0.1:${port}/shop`)
    expectPictures(result, /^\/shop\/_next\/static\/media\/hero-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg)$/, false)
    expect(api.billedPictures()).toBe(1)
  }, 180_000)
})

const ASTRO = path.resolve(import.meta.dirname, '../node_modules/astro/astro.js')

describe.skipIf(!hasChromium)('Astro with the integration (Node adapter): astro build, its server, astro dev', () => {
  let api: SegmindServer
  let app: string
  let browser: Browser
  const servers: ChildProcess[] = []
  const astroEnv = () => ({ ...env(api), ASTRO_TELEMETRY_DISABLED: '1' })
  const ASSET = /^\/_astro\/hero-\d+\.[0-9a-f]{10}(?:_\w+)?\.(?:avif|webp|jpg)$/

  beforeAll(async () => {
    api = await startSegmindServer({ keys: [TEST_KEY] })
    app = await frameworkApp('astro')
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    servers.forEach(s => s.kill())
    await browser?.close()
    await api?.close()
  })

  it('builds once into _astro/, prerenders and server-renders the picture, serves it with immutable caching, and <Image> takes the export', async () => {
    const out = await run(process.execPath, [ASTRO, 'build'], app, astroEnv())
    expect(out).toMatch(/1 generated/)
    expect(api.billedPictures()).toBe(1)
    const port = await freePort()
    servers.push(await startServer(process.execPath, ['dist/server/entry.mjs'], app, { ...astroEnv(), PORT: String(port), HOST: '127.0.0.1' }, /listening on/i))
    const page = await loadPage(browser, `http://127.0.0.1:${port}/`)
    expectPictures(page, ASSET)
    // astro:assets' <Image> re-encoded the export as ImageMetadata: its own file, also under _astro/.
    expect(page.painted.some(p => /\/_astro\/hero-640\.[0-9a-f]{10}_\w+\.webp$/.test(p.src))).toBe(true)
    expectPictures(await loadPage(browser, `http://127.0.0.1:${port}/ssr`), ASSET, true, 1)
  }, 180_000)

  it('serves the stored picture in astro dev, paying nothing more', async () => {
    const port = await freePort()
    servers.push(await startServer(process.execPath, [ASTRO, 'dev', '--host', '127.0.0.1', '--port', String(port)], app, astroEnv(), /Local\s/))
    expectPictures(await loadPage(browser, `http://127.0.0.1:${port}/ssr`), /^\/@seedream\/[0-9a-f]{16}\/[0-9a-f]{8}\/\d+\.(?:avif|webp|jpg)$/, true, 1)
    expect(api.billedPictures()).toBe(1)
  }, 180_000)
})

const NUXT = path.resolve(import.meta.dirname, '../node_modules/nuxt/bin/nuxt.mjs')

describe.skipIf(!hasChromium)('Nuxt with the module: nuxt build, node .output/server/index.mjs, nuxt dev', () => {
  let api: SegmindServer
  let app: string
  let browser: Browser
  const servers: ChildProcess[] = []
  const nuxtEnv = () => ({ ...env(api), NUXT_TELEMETRY_DISABLED: '1' })

  beforeAll(async () => {
    api = await startSegmindServer({ keys: [TEST_KEY] })
    app = await frameworkApp('nuxt')
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    servers.forEach(s => s.kill())
    await browser?.close()
    await api?.close()
  })

  it('builds once into _nuxt/, server-renders the picture, and serves it with immutable caching', async () => {
    const out = await run(process.execPath, [NUXT, 'build'], app, nuxtEnv())
    expect(out).toMatch(/1 generated/)
    expect(api.billedPictures()).toBe(1)
    const port = await freePort()
    servers.push(await startServer(process.execPath, ['.output/server/index.mjs'], app, { PORT: String(port), HOST: '127.0.0.1' }, /Listening on/))
    const base = `http://127.0.0.1:${port}/`
    expect(await (await fetch(base)).text()).toMatch(/<picture><source type="image\/avif" srcset="\/_nuxt\/hero-320\.[0-9a-f]{10}\.avif 320w/)
    // Nuxt's client build resolves asset URLs against import.meta.url: the same files, absolute after hydration.
    expectPictures(await loadPage(browser, base), /^(?:http:\/\/127\.0\.0\.1:\d+)?\/_nuxt\/hero-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg)$/)
  }, 180_000)

  it('serves the stored picture in nuxt dev, paying nothing more', async () => {
    const port = await freePort()
    servers.push(await startServer(process.execPath, [NUXT, 'dev', '--host', '127.0.0.1', '--port', String(port)], app, nuxtEnv(), /Local:/))
    expectPictures(await loadPage(browser, `http://127.0.0.1:${port}/`), /^\/_nuxt\/@seedream\/[0-9a-f]{16}\/[0-9a-f]{8}\/\d+\.(?:avif|webp|jpg)$/, false)
    expect(api.billedPictures()).toBe(1)
  }, 180_000)
})
