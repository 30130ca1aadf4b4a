import type { Browser, Route } from 'playwright-core'
import type { PreviewServer } from 'vite'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { preview } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES, viteBuild, withEnv } from './helpers'
import { CHROMIUM, launchChromium } from './frameworks'

const OUTPUT = path.resolve(import.meta.dirname, '.output')
const present = existsSync(CHROMIUM)
if (!present)
  process.stderr.write(`\nbrowser tests NOT RUN: no ${CHROMIUM}. Install it with: apt-get install -y chromium (.ci/run does)\n\n`)

/** The candidate a browser at DPR 1 should pick: the narrowest at least as wide as the slot. */
function expectedWidth(srcset: string, slot: number): number {
  const widths = srcset.split(', ').map(c => Number(c.split(' ')[1]!.slice(0, -1))).sort((a, b) => a - b)
  return widths.find(w => w >= slot) ?? widths.at(-1)!
}

let server: PreviewServer
let browser: Browser
let base: string

describe.skipIf(!present)('the demo site in Chromium', () => {
  beforeAll(async () => {
    const root = path.join(FIXTURES, 'demo')
    await withEnv({}, () => viteBuild(root, { provider: 'placeholder' }))
    server = await preview({ root, configFile: false, logLevel: 'silent', build: { outDir: 'dist' }, preview: { host: '127.0.0.1', port: 0 } })
    base = server.resolvedUrls!.local[0]!
    browser = await launchChromium()
    await mkdir(OUTPUT, { recursive: true })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it.each([375, 768, 1440])('at %i px every image has its box before it loads, then loads as AVIF at the candidate sizes selects, with no layout shift', async (vw) => {
    const context = await browser.newContext({ viewport: { width: vw, height: 900 }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    const failed: string[] = []
    page.on('requestfailed', r => failed.push(`${r.url()} ${r.failure()?.errorText}`))
    page.on('response', r => r.status() >= 400 && failed.push(`${r.url()} ${r.status()}`))
    await page.addInitScript(() => {
      (window as any).__shift = 0
      ;(window as any).__shifts = []
      const record = (e: any) => {
        (window as any).__shift += e.value
        ;(window as any).__shifts.push({ value: e.value, at: e.startTime, sources: e.sources.map((s: any) => `${s.node?.nodeName} ${JSON.stringify(s.previousRect)} -> ${JSON.stringify(s.currentRect)}`) })
      }
      const observer = new PerformanceObserver(list => list.getEntries().forEach(record))
      observer.observe({ type: 'layout-shift', buffered: true })
      // Entries not yet handed to the callback, taken before the shifts are read.
      ;(window as any).__flushShifts = () => observer.takeRecords().forEach(record)
    })
    // Hold every picture until the boxes are measured: they must have their size before any arrives.
    const held: Route[] = []
    let holding = true
    await page.route(/\.(?:avif|webp|jpg)$/, route => holding ? void held.push(route) : route.continue())
    await page.goto(base, { waitUntil: 'domcontentloaded' })
    await page.waitForSelector('img')
    const boxes = await page.$$eval('img', imgs => imgs.map(img => ({ complete: img.complete && img.naturalWidth > 0, ratio: Number(img.getAttribute('width')) / Number(img.getAttribute('height')), height: img.getBoundingClientRect().height, box: img.getBoundingClientRect().width / img.getBoundingClientRect().height })))
    for (const b of boxes) {
      expect(b.complete).toBe(false)
      expect(b.height).toBeGreaterThan(50)
      expect(b.box).toBeCloseTo(b.ratio, 1)
    }
    // From here on only the pictures arrive: nothing may move when they do.
    const arriving = await page.evaluate(() => performance.now())
    holding = false
    await Promise.all(held.map(route => route.continue()))
    await page.waitForLoadState('load')
    // Lazy images below the fold load once scrolled to.
    await page.evaluate(async () => {
      window.scrollTo(0, document.body.scrollHeight)
      await Promise.all([...document.images].map(img => img.complete ? 0 : new Promise((r) => { img.addEventListener('load', r); img.addEventListener('error', r) })))
      window.scrollTo(0, 0)
    })
    const images = await page.$$eval('img', imgs => imgs.map(img => ({
      currentSrc: img.currentSrc,
      naturalWidth: img.naturalWidth,
      width: img.getAttribute('width'),
      height: img.getAttribute('height'),
      avifSrcset: img.parentElement!.querySelector('source[type="image/avif"]')!.getAttribute('srcset')!,
      sizes: img.sizes,
    })))
    // Read once the last layout is painted (shifts are found at paint: two animation frames), and
    // before the screenshot, whose full-page capture lays the page out again at other sizes.
    const shifts = await page.evaluate(async () => {
      await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))
      ;(window as any).__flushShifts()
      return (window as any).__shifts
    })
    await page.screenshot({ path: path.join(OUTPUT, `browser-${vw}.png`), fullPage: true })

    expect(failed).toEqual([])
    expect(images).toHaveLength(3)
    for (const img of images) {
      expect(img.naturalWidth).toBeGreaterThan(0)
      expect(img.currentSrc).toMatch(/\.avif$/)
      const slot = img.sizes === '100vw' ? vw : (vw >= 600 ? vw / 2 : vw)
      expect(Number(img.currentSrc.match(/-(\d+)\.[0-9a-f]{10}\.avif$/)![1])).toBe(expectedWidth(img.avifSrcset, slot))
      expect(Number(img.width)).toBeGreaterThan(0)
      expect(Number(img.height)).toBeGreaterThan(0)
    }
    expect(shifts.filter((s: { at: number }) => s.at >= arriving)).toEqual([])
    await context.close()
  })

  it.each([375, 768, 1440])('at %i px the exported markup stays inside the page, and the priority hero is requested before the page\'s script has arrived', async (vw) => {
    const context = await browser.newContext({ viewport: { width: vw, height: 900 }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await page.goto(base, { waitUntil: 'load' })
    await page.waitForFunction(() => [...document.images].every(img => img.complete))
    const result = await page.evaluate(() => {
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[]
      const script = resources.find(r => /\/assets\/[^/]+\.js$/.test(r.name))!
      const hero = resources.filter(r => /\/assets\/hero-\d+\.[0-9a-f]{10}\.avif$/.test(r.name))
      const img = document.querySelector('img')!
      return {
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        widest: Math.max(...[...document.images].map(i => i.getBoundingClientRect().right)),
        viewport: document.documentElement.clientWidth,
        preload: document.head.querySelector('link[rel="preload"][as="image"]')?.outerHTML ?? '',
        heroStart: Math.min(...hero.map(r => r.startTime)),
        scriptEnd: script.responseEnd,
        attrs: [img.getAttribute('loading'), img.getAttribute('fetchpriority'), img.getAttribute('style')],
      }
    })
    expect(result.overflow).toBeLessThanOrEqual(0)
    expect(result.widest).toBeLessThanOrEqual(result.viewport)
    expect(result.preload).toMatch(/^<link rel="preload" as="image" type="image\/avif" imagesrcset="\/assets\/hero-\d+\.[0-9a-f]{10}\.avif \d+w, [^"]+" imagesizes="100vw" fetchpriority="high">$/)
    expect(result.attrs).toEqual(['eager', 'high', 'max-width:100%;height:auto'])
    // The preload starts the hero's fetch from the HTML: before the script that writes its <img> has even arrived.
    expect(result.heroStart).toBeLessThan(result.scriptEnd)
    await context.close()
  })
})
