import type { Browser, Page } from 'playwright-core'
import type { ViteDevServer } from 'vite'
import type { SegmindServer } from './servers/segmind'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import seedream from '../src/vite'
import { copyFixture, TEST_KEY } from './helpers'
import { startSegmindServer } from './servers/segmind'
import { CHROMIUM, launchChromium } from './frameworks'


let api: SegmindServer
let vite: ViteDevServer
let browser: Browser

/**
 * Resolves once Vite has greeted the page's HMR socket: an update sent before that is lost (Vite
 * keeps none for a client that is not there yet). `ms` is a deadline, not an expected duration.
 */
function hmrConnected(page: Page, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the page's HMR socket was not connected within ${ms} ms`)), ms)
    page.on('websocket', ws => ws.on('framereceived', (frame) => {
      if (String(frame.payload).includes('"type":"connected"')) {
        clearTimeout(deadline)
        resolve()
      }
    }))
  })
}

describe.skipIf(!existsSync(CHROMIUM))('the dev server in Chromium', () => {
  beforeAll(async () => {
    api = await startSegmindServer({ keys: [TEST_KEY] })
    const root = await copyFixture('vite-one')
    await writeFile(path.join(root, 'src/main.js'), 'import hero from \'hero?seedream\'\ndocument.body.innerHTML = hero.html\n')
    vite = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [seedream({ apiKey: TEST_KEY, apiUrl: api.url, widths: [128] })],
      server: { host: '127.0.0.1', port: 0 },
    })
    await vite.listen()
    browser = await launchChromium()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await vite?.close()
    await api?.close()
  })

  it('shows the placeholder at once, then swaps in the generated picture without reloading the page', async () => {
    // The generation waits at the API until the page shows its placeholder and can take the update.
    api.hold()
    const page = await browser.newPage()
    const connected = hmrConnected(page)
    await page.goto(vite.resolvedUrls!.local[0]!, { waitUntil: 'load' })
    await connected
    await page.evaluate(() => { (window as any).__sameDocument = true })
    const first = await page.$eval('img', img => img.getAttribute('src'))
    expect(first).toMatch(/^\/@seedream\/[0-9a-f]{16}\/[0-9a-f]{8}\/128\.jpg$/)

    api.release()
    await page.waitForFunction(old => document.querySelector('img')?.getAttribute('src') !== old, first, { timeout: 45_000 })
    const after = await page.$eval('img', img => ({ src: img.getAttribute('src'), srcset: img.getAttribute('srcset') }))
    expect(after.src).not.toBe(first)
    expect(after.srcset).toContain(after.src)
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true)
    await page.waitForFunction(() => (document.querySelector('img') as HTMLImageElement).naturalWidth > 0, undefined, { timeout: 45_000 })
    expect(api.generations()).toHaveLength(1)
  })
})
