import type { Browser } from 'playwright-core'
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, symlink } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { FIXTURES } from './helpers'

/**
 * Framework fixtures, built by the framework's own CLI and served by its own server. They run in
 * a folder under test/.output, so the frameworks installed in the repo's node_modules resolve, with
 * `unplugin-seedream` linked to this repository as npm would install it.
 */
const REPO = path.resolve(import.meta.dirname, '..')
export const CHROMIUM = '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM)

export async function frameworkApp(name: string): Promise<string> {
  const parent = path.join(REPO, 'test/.output')
  await mkdir(parent, { recursive: true })
  const dir = await mkdtemp(path.join(parent, `${name}-`))
  await cp(path.join(FIXTURES, name), dir, { recursive: true, filter: src => !['node_modules', '.svelte-kit', 'build', '.seedream'].includes(path.basename(src)) })
  await mkdir(path.join(dir, 'node_modules'), { recursive: true })
  await symlink(REPO, path.join(dir, 'node_modules/unplugin-seedream'), 'dir')
  return dir
}

/**
 * The environment a user's shell would give the framework's CLI: without the test runner's own
 * variables (Nuxt turns its logs down when it sees VITEST or NODE_ENV=test).
 */
function userEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const own = Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST')
  return { ...Object.fromEntries(own), ...env }
}

/** Runs a command to its end; its output is in the error when it fails. */
export function run(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    child.on('close', code => code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)))
  })
}

/** A free port on 127.0.0.1, for servers that take their port from the environment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    }).on('error', reject)
  })
}

/** Starts a long-running server and resolves once its output says it listens (`ready` matches). */
export function startServer(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined>, ready: RegExp, ms = 60_000): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')} did not say it was ready in ${ms} ms:\n${out}`)), ms)
    const seen = (d: Buffer) => {
      out += d
      if (ready.test(out)) {
        clearTimeout(timer)
        resolve(child)
      }
    }
    child.stdout.on('data', seen)
    child.stderr.on('data', seen)
    child.on('exit', code => reject(new Error(`${cmd} exited ${code} before it was ready:\n${out}`)))
  })
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

export interface ImageResponse { url: string, status: number, type: string, cache: string }

/**
 * Opens a page in Chromium and reports what its pictures did: every image response (status,
 * type, cache header), each `<img>`'s natural width once loaded, and console errors.
 */
export async function loadPage(browser: Browser, url: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const images: ImageResponse[] = []
  const errors: string[] = []
  // A failed load is reported by its response, with its URL; the browser's own favicon probe is not the page's.
  page.on('console', m => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()))
  page.on('pageerror', e => errors.push(e.message))
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico'))
      errors.push(`${r.status()} ${r.url()}`)
    if (r.request().resourceType() === 'image')
      images.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '', cache: r.headers()['cache-control'] ?? '' })
  })
  await page.goto(url, { waitUntil: 'load' })
  // Hydration may put the markup in again after `load`: wait until every image has finished, loaded or broken.
  await page.waitForFunction(() => [...document.images].every(img => img.complete), null, { timeout: 30_000 })
  const painted = await page.$$eval('img', imgs => imgs.map(img => ({ src: img.currentSrc, width: img.naturalWidth })))
  const sources = await page.$$eval('img, source', els => els.flatMap(el => [el.getAttribute('src'), ...(el.getAttribute('srcset') ?? '').split(', ').map(c => c.split(' ')[0])]).filter(Boolean) as string[])
  await page.close()
  return { images, painted, sources, errors }
}
