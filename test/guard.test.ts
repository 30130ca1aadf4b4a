import type { SegmindServer } from './servers/segmind'
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { copyFixture, listFiles, TEST_KEY, viteBuild, withEnv } from './helpers'
import { startSegmindServer } from './servers/segmind'

const CLI = path.resolve(import.meta.dirname, '../dist/cli.js')
let server: SegmindServer
let root: string
beforeEach(async () => {
  root = await copyFixture('vite-basic')
})
afterEach(() => server.close())

const env = () => ({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url })
const entries = async () => (await listFiles(path.join(root, '.seedream'))).filter(f => f.endsWith('meta.json'))
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure') }, e => e as Error)

describe('budget and frozen builds', () => {
  beforeEach(async () => {
    server = await startSegmindServer({ keys: [TEST_KEY] })
  })

  it('stops before any call when the known misses exceed the budget, with count and cost', async () => {
    const error = await failure(withEnv(env(), () => viteBuild(root, { budget: { maxImages: 1 } })))
    expect(error.message).toContain('would generate 2 image(s), about $0.08, over the budget of 1 image(s)')
    expect(error.message).toContain('"hero" (seedream.config.mjs)')
    expect(error.message).toContain('npx seedream generate')
    expect(server.state.requests).toHaveLength(0)
    const costly = await failure(withEnv(env(), () => viteBuild(root, { budget: { maxCost: 0.05 }, prices: { 'segmind/seedream-4.5': 0.5 } })))
    expect(costly.message).toContain('about $0.54, over the budget of 10 image(s) and $0.05')
    expect(server.state.requests).toHaveLength(0)
  })

  it('counts specs discovered during the build too', async () => {
    // A spec file the start-of-build scan does not see (git-ignored), imported by a module.
    await writeFile(path.join(root, '.gitignore'), 'private/\n')
    const { mkdir } = await import('node:fs/promises')
    await mkdir(path.join(root, 'src/private'))
    await writeFile(path.join(root, 'src/private/late.seedream.json'), JSON.stringify({ prompt: 'A late spec', size: '1K' }))
    await writeFile(path.join(root, 'src/main.js'), `${await readFile(path.join(root, 'src/main.js'), 'utf8')}\nimport late from './private/late.seedream.json?seedream'\nglobalThis.late = late\n`)
    const error = await failure(withEnv(env(), () => viteBuild(root, { budget: { maxImages: 2 } })))
    // The start-of-build check passed (2 known misses); the third image, whichever comes last, is refused.
    expect(error.message).toMatch(/Generating "(late|card|hero)" \([^)]+\) would generate 3 image\(s\), about \$0\.12, over the budget of 2/)
    expect(server.generations()).toHaveLength(2)
  })

  it('frozen: a build fails on a miss, listing every missing spec, with zero calls; a full cache builds', async () => {
    const error = await failure(withEnv({ ...env(), SEEDREAM_FROZEN: '1' }, () => viteBuild(root, {})))
    expect(error.message).toMatch(/Frozen mode: no image is generated, and 2 spec\(s\) have no image in the cache:\n {2}- "(hero|card)"/)
    expect(error.message).toContain('npx seedream generate')
    expect(server.state.requests).toHaveLength(0)
    await withEnv(env(), () => viteBuild(root, { widths: [64] }))
    expect(server.generations()).toHaveLength(2)
    await withEnv({ CI: 'true', SEGMIND_API_URL: server.url }, () => viteBuild(root, { widths: [64] }))
    expect(server.generations()).toHaveLength(2)
  })
})

function cli(args: string[], onRequest?: () => void) {
  const child = spawn(process.execPath, [CLI, ...args, '--root', root], { env: { PATH: process.env.PATH!, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => {
    out += d
    onRequest?.()
  })
  const done = new Promise<{ code: number | null, signal: NodeJS.Signals | null, out: string }>(resolve =>
    child.on('close', (code, signal) => resolve({ code, signal, out })))
  return { child, done }
}

describe('two processes sharing one cache', () => {
  it('generate each spec once when two run at the same time', async () => {
    server = await startSegmindServer({ keys: [TEST_KEY], latencyMs: 800 })
    const [a, b] = await Promise.all([cli(['generate']).done, cli(['generate']).done])
    expect([a.code, b.code]).toEqual([0, 0])
    expect(server.generations()).toHaveLength(2)
    expect(await entries()).toHaveLength(2)
  })

  it('recover after a process is killed with SIGKILL in the middle of a generation', async () => {
    server = await startSegmindServer({ keys: [TEST_KEY], latencyMs: 1500 })
    await writeFile(path.join(root, 'seedream.config.mjs'), `export default { lockStale: 2000, images: { hero: { prompt: 'Misty mountain lake at dawn' } } }\n`)
    const { rm } = await import('node:fs/promises')
    await rm(path.join(root, 'src'), { recursive: true })
    const victim = cli(['generate'])
    while (server.generations().length === 0) await new Promise(resolve => setTimeout(resolve, 20))
    victim.child.kill('SIGKILL')
    expect((await victim.done).signal).toBe('SIGKILL')
    expect(await entries()).toEqual([])
    const { readdir } = await import('node:fs/promises')
    expect(await readdir(path.join(root, '.seedream/.locks'))).toEqual([expect.stringMatching(/^[0-9a-f]{16}\.lock$/)])

    // The next run waits out the dead process's lock (2 s without refresh), then generates.
    const next = await cli(['generate']).done
    expect(next.code).toBe(0)
    expect(await entries()).toHaveLength(1)
    expect(server.generations()).toHaveLength(2)
    const meta = JSON.parse(await readFile(path.join(root, '.seedream', (await entries())[0]!), 'utf8'))
    expect(meta.name).toBe('hero')
  })
})
