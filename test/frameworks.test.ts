import type { Browser } from 'playwright-core'
import type { SegmindServer } from './servers/segmind'
import type { ChildProcess } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { frameworkApp, freePort, hasChromium, launchChromium, loadPage, run, startServer } from './frameworks'
import { TEST_KEY, until, untilAsync } from './helpers'
import { startSegmindServer } from './servers/segmind'

const bin = (p: string) => path.resolve(import.meta.dirname, '../node_modules', p)
const VITE = bin('vite/bin/vite.js')
const NEXT = bin('next/dist/bin/next')
const ASTRO = bin('astro/astro.js')
const NUXT = bin('nuxt/bin/nuxt.mjs')
const DEV_URL = /^\/@seedream\/[0-9a-f]{16}\/[0-9a-f]{8}\/\d+\.(?:avif|webp|jpg)$/

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

/**
 * One framework's fixture with the loopback Segmind server and Chromium, for the tests of one
 * describe block; `serve` starts one of the framework's servers on a free port and returns its URL.
 */
function frameworkSuite(fixture: string, extraEnv: Record<string, string>) {
  const suite = { api: undefined as unknown as SegmindServer, app: '', browser: undefined as unknown as Browser }
  const servers: ChildProcess[] = []
  /** What every framework test runs with: the loopback Segmind server, never frozen. */
  const env = () => ({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: suite.api.url, CI: '', SEEDREAM_FROZEN: '', ...extraEnv })
  beforeAll(async () => {
    suite.api = await startSegmindServer({ keys: [TEST_KEY] })
    suite.app = await frameworkApp(fixture)
    suite.browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    servers.forEach(s => s.kill())
    await suite.browser?.close()
    await suite.api?.close()
  })
  const build = (args: string[]) => run(process.execPath, args, suite.app, env())
  async function serve(args: (port: number) => string[], ready: RegExp, portEnv = false): Promise<string> {
    const port = await freePort()
    const portVars = portEnv ? { PORT: String(port), HOST: '127.0.0.1' } : {}
    servers.push(await startServer(process.execPath, args(port), suite.app, { ...env(), ...portVars }, ready))
    return `http://127.0.0.1:${port}/`
  }
  return Object.assign(suite, { env, build, serve })
}

describe.skipIf(!hasChromium)('SvelteKit (adapter-node): vite build, node build/index.js, vite dev', () => {
  const s = frameworkSuite('sveltekit', {})

  it('builds once, server-renders the picture, and serves it from _app/immutable/assets/ with immutable caching', async () => {
    expect(await s.build([VITE, 'build'])).toMatch(/\[seedream\] 1 generated/)
    expect(s.api.billedPictures()).toBe(1)
    const base = await s.serve(() => ['build/index.js'], /Listening on/, true)
    // Server-rendered: the markup is in the HTML before any script runs.
    expect(await (await fetch(base)).text()).toMatch(/<picture><source type="image\/avif" srcset="\/_app\/immutable\/assets\/hero-320\.[0-9a-f]{10}\.avif 320w/)
    expectPictures(await loadPage(s.browser, base), /^\/_app\/immutable\/assets\/hero-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg)$/)
  }, 120_000)

  it('serves the stored picture in `vite dev`, paying nothing more', async () => {
    const base = await s.serve(port => [VITE, 'dev', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], /Local:/)
    expectPictures(await loadPage(s.browser, base), DEV_URL)
    expect(s.api.billedPictures()).toBe(1)
  }, 120_000)
})

/**
 * Next.js with withSeedream, one describe per bundler, each in its own copy of the fixture. A
 * named spec and a spec file; files under basePath in static/media/, Turbopack's with its own hash
 * added to ours.
 */
const NEXT_MEDIA = /^\/shop\/_next\/static\/media\/(?:hero|card)-\d+\.[0-9a-f]{10}(?:\.[\w-]+)?\.(?:avif|webp|jpg)$/
for (const bundler of ['webpack', 'Turbopack'] as const) {
  const flags = bundler === 'webpack' ? ['--webpack'] : []
  const next = (command: string) => ['next', command, ...flags].join(' ')
  describe.skipIf(!hasChromium)(`Next.js with withSeedream (${bundler}): ${next('build')}, next start, ${next('dev')}`, () => {
    const s = frameworkSuite('next', { NEXT_TELEMETRY_DISABLED: '1' })

    it('writes each picture once to static/media, and serves it under basePath with immutable caching, also through next/image', async () => {
      const out = await s.build([NEXT, 'build', ...flags])
      if (bundler === 'webpack')
        expect(out.match(/\d+ generated \(~\$/g)).toHaveLength(1)
      expect(out).toMatch(/generated "card"/)
      expect(s.api.billedPictures()).toBe(2)
      // A second build pays nothing and ships every file it refers to, also from Turbopack's
      // cache after the loader's variants were deleted (CI restoring .next/cache alone).
      if (bundler === 'Turbopack')
        await rm(path.join(s.app, 'node_modules/.cache/unplugin-seedream/next/media'), { recursive: true })
      await s.build([NEXT, 'build', ...flags])
      expect(s.api.billedPictures()).toBe(2)
      const base = await s.serve(port => [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'], /Ready in/)
      const result = await loadPage(s.browser, `${base}shop`)
      expectPictures(result, NEXT_MEDIA, true, 3)
      // next/image got the export itself (src, width, height, blurDataURL).
      expect(result.painted.some(p => /\/shop\/_next\/static\/media\/hero-640\.[0-9a-f]{10}(?:\.[\w-]+)?\.jpg$/.test(p.src))).toBe(true)
    }, 240_000)

    it(`serves the stored pictures in ${next('dev')}, paying nothing more`, async () => {
      const base = await s.serve(port => [NEXT, 'dev', ...flags, '-p', String(port), '-H', '127.0.0.1'], /Ready in/)
      expectPictures(await loadPage(s.browser, `${base}shop`), NEXT_MEDIA, false, 3)
      expect(s.api.billedPictures()).toBe(2)
    }, 180_000)
  })
}

describe.skipIf(!hasChromium)('Astro with the integration (Node adapter): astro build, its server, astro dev', () => {
  const s = frameworkSuite('astro', { ASTRO_TELEMETRY_DISABLED: '1' })
  const ASSET = /^\/_astro\/hero-\d+\.[0-9a-f]{10}(?:_\w+)?\.(?:avif|webp|jpg)$/

  it('builds once into _astro/, prerenders and server-renders the picture, serves it with immutable caching, and <Image> takes the export', async () => {
    expect(await s.build([ASTRO, 'build'])).toMatch(/1 generated/)
    expect(s.api.billedPictures()).toBe(1)
    const base = await s.serve(() => ['dist/server/entry.mjs'], /listening on/i, true)
    const page = await loadPage(s.browser, base)
    expectPictures(page, ASSET)
    // astro:assets' <Image> re-encoded the export as ImageMetadata: its own file, also under _astro/.
    expect(page.painted.some(p => /\/_astro\/hero-640\.[0-9a-f]{10}_\w+\.webp$/.test(p.src))).toBe(true)
    expectPictures(await loadPage(s.browser, `${base}ssr`), ASSET, true, 1)
  }, 180_000)

  it('serves the stored picture in astro dev, paying nothing more, and reloads an open page whose frontmatter-only picture changes', async () => {
    const base = await s.serve(port => [ASTRO, 'dev', '--host', '127.0.0.1', '--port', String(port)], /Local\s/)
    expectPictures(await loadPage(s.browser, `${base}ssr`), DEV_URL, true, 1)
    expect(s.api.billedPictures()).toBe(1)

    // The page's picture is imported only in frontmatter: no browser module has it. A new prompt
    // is generated in the background; the open page reloads by itself and shows the new picture.
    const page = await s.browser.newPage()
    await page.goto(`${base}ssr`)
    const shown = () => page.$eval('source', el => el.getAttribute('srcset')!.split('/')[2]).catch(() => '')
    const before = await shown()
    await writeFile(path.join(s.app, 'seedream.config.mjs'), (await readFile(path.join(s.app, 'seedream.config.mjs'), 'utf8')).replace('at dusk', 'at dawn'))
    await until(() => s.api.billedPictures() === 2, 'the new prompt to be generated')
    const served = async () => (await (await fetch(`${base}ssr`)).text()).match(/srcset="\/@seedream\/([0-9a-f]{16})\//)?.[1] ?? ''
    const latest = { served: '' }
    await untilAsync(async () => {
      latest.served = await served()
      return latest.served !== before && await shown() === latest.served
    }, 'the open page to reload with the new picture')
    await page.close()
  }, 180_000)
})

describe.skipIf(!hasChromium)('Nuxt with the module: nuxt build, node .output/server/index.mjs, nuxt dev', () => {
  const s = frameworkSuite('nuxt', { NUXT_TELEMETRY_DISABLED: '1' })

  it('builds once into _nuxt/, server-renders the picture, and serves it with immutable caching', async () => {
    expect(await s.build([NUXT, 'build'])).toMatch(/1 generated/)
    expect(s.api.billedPictures()).toBe(1)
    const base = await s.serve(() => ['.output/server/index.mjs'], /Listening on/, true)
    expect(await (await fetch(base)).text()).toMatch(/<picture><source type="image\/avif" srcset="\/_nuxt\/hero-320\.[0-9a-f]{10}\.avif 320w/)
    // Nuxt's client build resolves asset URLs against import.meta.url: the same files, absolute after hydration.
    expectPictures(await loadPage(s.browser, base), /^(?:http:\/\/127\.0\.0\.1:\d+)?\/_nuxt\/hero-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg)$/)
  }, 180_000)

  it('serves the stored picture in nuxt dev, paying nothing more', async () => {
    const base = await s.serve(port => [NUXT, 'dev', '--host', '127.0.0.1', '--port', String(port)], /Local:/)
    expectPictures(await loadPage(s.browser, base), /^\/_nuxt\/@seedream\/[0-9a-f]{16}\/[0-9a-f]{8}\/\d+\.(?:avif|webp|jpg)$/, false)
    expect(s.api.billedPictures()).toBe(1)
  }, 180_000)
})
