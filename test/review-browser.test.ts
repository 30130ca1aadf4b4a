import type { Browser, Page } from 'playwright-core'
import type { ViteDevServer } from 'vite'
import type { SegmindServer } from './servers/segmind'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { createServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import seedream from '../src/vite'
import { copyFixture, listFiles, TEST_KEY, viteBuild } from './helpers'
import { startSegmindServer } from './servers/segmind'
import { CHROMIUM, launchChromium } from './frameworks'

const OUTPUT = path.resolve(import.meta.dirname, '.output')

let api: SegmindServer
let root: string
let vite: ViteDevServer
let browser: Browser
const options = () => ({ apiKey: TEST_KEY, apiUrl: api.url, widths: [128], formats: ['jpeg' as const], frozen: false })

/** Every stored candidate of the store: its number (from 1), its picture's path and sha256. */
async function storedCandidates(): Promise<Array<{ number: number, file: string, sha256: string }>> {
  const store = path.join(root, '.seedream')
  const dirs = (await readdir(store)).filter(d => /^[0-9a-f]{16}$/.test(d))
  const metas = await Promise.all(dirs.map(async d => ({ d, meta: JSON.parse(await readFile(path.join(store, d, 'meta.json'), 'utf8')) })))
  return metas.map(({ d, meta }) => ({ number: (meta.candidate ?? 0) + 1, file: path.join(store, d, meta.images[0].file), sha256: meta.images[0].sha256 })).sort((a, b) => a.number - b.number)
}

/** 16×16 grey levels of a picture, to tell which original a variant was made from. */
const thumb = async (file: string) => sharp(file).resize(16, 16, { fit: 'fill' }).greyscale().raw().toBuffer()
const distance = (a: Buffer, b: Buffer) => a.reduce((n, v, i) => n + Math.abs(v - b[i]!), 0)

/** How many candidate pictures the review page has painted. */
const painted = (page: Page) => page.$$eval('figure img', imgs => imgs.filter(i => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length)

describe.skipIf(!existsSync(CHROMIUM))('the review page in Chromium', () => {
  beforeAll(async () => {
    api = await startSegmindServer({ keys: [TEST_KEY] })
    root = await copyFixture('vite-one')
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: 'A lighthouse on a cliff in a storm', size: '1K', aspect_ratio: '3:2', candidates: 3 } } }))
    await writeFile(path.join(root, 'src/main.js'), 'import hero from \'hero?seedream\'\ndocument.body.innerHTML = hero.html\nglobalThis.__seedream = { hero }\n')
    browser = await launchChromium()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await vite?.close()
    await api?.close()
  })

  it('generates 3 candidates once, picks the third in the page (hot-updating the app), rerolls a fourth, and the build ships the pick for free', async () => {
    // The first build pays for the 3 candidates, and exports the first.
    await viteBuild(root, options())
    expect(api.generations()).toHaveLength(3)
    expect(new Set(api.billedSha256())).toEqual(new Set((await storedCandidates()).map(c => c.sha256)))

    vite = await createServer({ root, configFile: false, logLevel: 'silent', plugins: [seedream(options())], server: { host: '127.0.0.1', port: 0 } })
    await vite.listen()
    const base = vite.resolvedUrls!.local[0]!
    const app = await browser.newPage()
    await app.goto(base, { waitUntil: 'load' })
    await app.waitForFunction(() => (document.querySelector('img') as HTMLImageElement | null)?.naturalWidth)
    await app.evaluate(() => { (window as any).__sameDocument = true })
    const before = await app.$eval('img', img => img.getAttribute('src'))

    const review = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await review.goto(`${base}__seedream/review/`, { waitUntil: 'load' })
    await review.waitForFunction(() => document.querySelectorAll('figure img').length === 3)
    await expect.poll(() => painted(review), { timeout: 30_000 }).toBe(3)
    expect(await review.content()).not.toContain(TEST_KEY)

    await review.getByRole('button', { name: 'Pick candidate 3 of hero' }).click()
    await review.getByRole('button', { name: 'Picked: candidate 3 of hero', pressed: true }).waitFor()
    // The app's page takes the pick as a hot update, in the same document.
    await app.waitForFunction(old => document.querySelector('img')?.getAttribute('src') !== old, before, { timeout: 30_000 })
    expect(await app.evaluate(() => (window as any).__sameDocument)).toBe(true)
    expect(api.generations()).toHaveLength(3)

    // A reroll, from the keyboard, after the browser's confirmation that shows the price.
    const dialogs: string[] = []
    review.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.accept()
    })
    await review.getByRole('button', { name: /^Reroll/ }).focus()
    await review.keyboard.press('Enter')
    await review.waitForFunction(() => document.querySelectorAll('figure img').length === 4, undefined, { timeout: 60_000 })
    await expect.poll(() => painted(review), { timeout: 30_000 }).toBe(4)
    expect(dialogs).toEqual(['Generate one more candidate of "hero" for about $0.04?'])
    expect(api.generations()).toHaveLength(4)
    const stored = await storedCandidates()
    expect(stored.map(c => c.number)).toEqual([1, 2, 3, 4])
    expect(new Set(api.billedSha256())).toEqual(new Set(stored.map(c => c.sha256)))
    // The pick stays where it was.
    expect(await review.getByRole('button', { name: 'Picked: candidate 3 of hero', pressed: true }).count()).toBe(1)
    expect(await review.getByRole('button', { name: /^Pick candidate \d of hero$/, pressed: false }).count()).toBe(3)

    await mkdir(OUTPUT, { recursive: true })
    await review.screenshot({ path: path.join(OUTPUT, 'review-1440.png'), fullPage: true })
    await review.setViewportSize({ width: 375, height: 812 })
    await review.screenshot({ path: path.join(OUTPUT, 'review-375.png'), fullPage: true })
    await vite.close()

    // The build ships candidate 3, with no call: its variant is nearest to the third picture.
    const { outDir } = await viteBuild(root, options())
    expect(api.generations()).toHaveLength(4)
    const jpeg = (await listFiles(outDir)).find(f => f.endsWith('.jpg'))!
    const shipped = await thumb(path.join(outDir, jpeg))
    const distances = await Promise.all(stored.map(async c => distance(shipped, await thumb(c.file))))
    expect(distances.indexOf(Math.min(...distances))).toBe(2)
  }, 240_000)
})
