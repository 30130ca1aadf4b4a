import type { SegmindServer } from './servers/segmind'
import { spawn } from 'node:child_process'
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listFiles, TEST_KEY } from './helpers'
import { startSegmindServer } from './servers/segmind'

const REPO = path.resolve(import.meta.dirname, '..')

/** Runs a command without blocking this process, so the loopback server keeps answering. */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEGMIND_') && !k.startsWith('npm_') && k !== 'CI'))
    const child = spawn(cmd, args, { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    child.on('close', code => code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)))
  })
}

let server: SegmindServer
let app: string
beforeAll(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'seedream-pack-'))
  const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], REPO)
  const tarball = path.join(tmp, JSON.parse(packed.slice(packed.indexOf('[')))[0].filename)
  app = path.join(tmp, 'app')
  await cp(path.join(import.meta.dirname, 'app'), app, { recursive: true })
  const { devDependencies } = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8'))
  // Only packages the repo's own `npm ci` put in npm's cache: no registry is asked.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball, `vite@${devDependencies.vite}`, `typescript@${devDependencies.typescript}`], app)
}, 240_000)
afterAll(() => server.close())

describe('the npm pack tarball in a fresh app outside the repo', () => {
  it('builds with vite and a seedream.config.ts against the loopback server, and types imports and config', async () => {
    const out = await run('npx', ['vite', 'build'], app, { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url })
    expect(out).toContain('[seedream] generated "hero"')
    expect(server.generations()).toHaveLength(1)
    const files = await listFiles(path.join(app, 'dist'))
    expect(files.filter(f => /^assets\/hero-\d+\.[0-9a-f]{10}\.(avif|webp|jpg)$/.test(f))).toHaveLength(6)
    for (const file of files)
      expect((await readFile(path.join(app, 'dist', file))).includes(TEST_KEY)).toBe(false)
    await run('npx', ['tsc', '--noEmit', '-p', '.'], app)
    await run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.config.json'], app)
  })

  it('fails type checking when a ?seedream import is misused', async () => {
    await writeFile(path.join(app, 'src/wrong.ts'), 'import hero from \'hero?seedream\'\nexport const n: number = hero.src\n')
    await expect(run('npx', ['tsc', '--noEmit', '-p', '.'], app)).rejects.toThrow(/Type 'string' is not assignable to type 'number'/)
  })
})
