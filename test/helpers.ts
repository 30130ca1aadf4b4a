import type { InlineConfig, Logger } from 'vite'
import type { Options } from '../src/model/options'
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import vm from 'node:vm'
import { build, createLogger } from 'vite'
import WebSocket from 'ws'
import type { SegmindServer } from './servers/segmind'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import seedream from '../src/vite'
import { startSegmindServer } from './servers/segmind'

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures')
export const TEST_KEY = 'sk-test-SECRET-d41d8cd98f00b204'

/** A private copy of a fixture, so each test has its own .seedream and variant cache. */
export async function copyFixture(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `seedream-${name}-`))
  await cp(path.join(FIXTURES, name), dir, { recursive: true, filter: src => !['node_modules', 'dist', '.seedream'].includes(path.basename(src)) })
  return dir
}

/**
 * Polls `check` until it holds. `ms` is a deadline for a slow, busy machine, not how long anything
 * should take; `detail` adds what the test saw to the message when it runs out.
 */
export async function until(check: () => boolean, what: string, ms = 30_000, detail = () => ''): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${detail() && `; ${detail()}`}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/** Like until(), for a check that has to ask something (a page, a server). */
export async function untilAsync(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!await check()) {
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** Every file below a folder, relative to it, with forward slashes. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true })
    return entries.filter(e => e.isFile()).map(e => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')).sort()
  }
  catch (error: any) {
    if (error.code === 'ENOENT')
      return []
    throw error
  }
}

export interface CapturedLogger { logger: Logger, lines: string[] }

export function captureLogger(): CapturedLogger {
  const logger = createLogger('info', { allowClearScreen: false })
  const lines: string[] = []
  for (const level of ['info', 'warn', 'warnOnce', 'error'] as const)
    logger[level] = (msg: string) => void lines.push(`${level}: ${msg}`)
  return { logger, lines }
}

/** What the remote cache reads: unset in every test that does not set it, and ~/.aws never read. */
export const REMOTE_VARIABLES = ['SEEDREAM_REMOTE', 'SEEDREAM_REMOTE_WRITE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE']

/** A path no file can be at. */
export const NO_FILE = '/dev/null/none'

/** Environment for one build: tests set every variable the plugin reads, so CI's own do not leak in. */
export async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  env = { AWS_SHARED_CREDENTIALS_FILE: NO_FILE, AWS_CONFIG_FILE: NO_FILE, ...env }
  const read = ['SEGMIND_API_KEY', 'SEGMIND_API_URL', 'SEGMIND_UPLOAD_URL', 'CI', 'SEEDREAM_FROZEN', 'ARK_API_KEY', 'ARK_API_URL', 'FAL_KEY', 'FAL_API_URL', 'REPLICATE_API_TOKEN', 'REPLICATE_API_URL', ...REMOTE_VARIABLES]
  const keys = [...new Set([...read, ...Object.keys(env)])]
  const saved = Object.fromEntries(keys.map(k => [k, process.env[k]]))
  for (const k of keys) delete process.env[k]
  Object.assign(process.env, Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)))
  try {
    return await fn()
  }
  finally {
    for (const k of keys) delete process.env[k]
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v
  }
}

/** A real `vite build` of a fixture copy with the plugin from src/. */
export async function viteBuild(root: string, options: Options, extra: InlineConfig = {}) {
  const captured = captureLogger()
  const outDir = path.join(root, 'dist')
  await build({
    root,
    configFile: false,
    logLevel: 'info',
    customLogger: captured.logger,
    plugins: [seedream(options)],
    build: { outDir, emptyOutDir: true, modulePreload: { polyfill: false }, ...extra.build },
    ...extra,
  })
  return { outDir, logs: captured.lines, files: await listFiles(outDir) }
}

/** Runs the built entry chunk and returns what it put on globalThis.__seedream. */
export async function exportsOf(outDir: string): Promise<Record<string, any>> {
  const js = (await listFiles(outDir)).filter(f => f.endsWith('.js'))
  const sandbox: Record<string, any> = {}
  for (const file of js)
    vm.runInNewContext(await readFile(path.join(outDir, file), 'utf8'), sandbox)
  return sandbox.__seedream
}

/**
 * Vite's HMR websocket, once open, and the hot updates it announces: each updated module's path,
 * and `full-reload <path> <triggeredBy>` for a full reload.
 */
export async function watchHmr(base: string): Promise<{ socket: WebSocket, updates: string[] }> {
  const updates: string[] = []
  const socket = new WebSocket(base.replace('http', 'ws'), 'vite-hmr')
  socket.on('message', (data) => {
    const msg = JSON.parse(String(data))
    if (msg.type === 'update')
      updates.push(...msg.updates.map((u: any) => decodeURIComponent(u.path)))
    if (msg.type === 'full-reload')
      updates.push(`full-reload ${msg.path ?? ''} ${msg.triggeredBy ?? ''}`)
  })
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  return { socket, updates }
}

/**
 * A loopback Segmind server and a fresh copy of a fixture, for each test (or once per file with
 * `'once'`), handed to the test file through `use`; the server is closed after.
 */
export function useServerAndFixture(fixture: string, use: (server: SegmindServer, root: string) => void, scope: 'each' | 'once' = 'each'): void {
  let server: SegmindServer | undefined
  ;(scope === 'each' ? beforeEach : beforeAll)(async () => {
    server = await startSegmindServer({ keys: [TEST_KEY] })
    use(server, await copyFixture(fixture))
  })
  ;(scope === 'each' ? afterEach : afterAll)(() => server?.close())
}
