// One dev server in its own process, and Chromium on its page: the time from the server's start
// until every picture on the page is loaded and decoded (Chromium launched before the clock).
// Usage: node bench/child-dev.mjs <root> <"seedream" | "imagetools" | "plain"> <pictures>
import { chromium } from 'playwright-core'
import { createServer } from 'vite'

const [root, tool, count] = process.argv.slice(2)
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] })
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
const plugins = []
if (tool === 'imagetools')
  plugins.push((await import('vite-imagetools')).imagetools({ cache: { dir: `${root}/node_modules/.cache/imagetools` } }))
if (tool === 'seedream')
  plugins.push((await import('../dist/vite.js')).default({ sizes: '25vw', loading: 'eager' }))

const started = performance.now()
const server = await createServer({ root, configFile: false, logLevel: 'silent', plugins, server: { host: '127.0.0.1', port: 0 }, optimizeDeps: { noDiscovery: true, include: [] } })
await server.listen()
await page.goto(server.resolvedUrls.local[0], { waitUntil: 'commit', timeout: 300_000 })
// Painted: every <img> has its bytes and is decoded; checked once per frame.
await page.waitForFunction(n => document.images.length >= n && [...document.images].every(i => i.complete && i.naturalWidth > 0), Number(count), { polling: 'raf', timeout: 300_000 })
const ms = performance.now() - started
const loaded = await page.evaluate(() => [...document.images].map(i => i.currentSrc.split('/').pop()))
await browser.close()
await server.close()
process.stdout.write(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, loaded }))
