import type { SegmindServer } from './servers/segmind'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bundleExports, BUNDLERS, expectFixtureEmitted } from './bundlers'
import { copyFixture, listFiles, TEST_KEY, withEnv } from './helpers'
import * as esbuild from 'esbuild'
import seedreamEsbuild from '../src/esbuild'
import { startSegmindServer } from './servers/segmind'

let server: SegmindServer
beforeEach(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
})
afterEach(() => server.close())

describe.each(Object.entries(BUNDLERS))('%s', (name, build) => {
  it('emits hashed variants, exports URLs under the public path that point at them, and reuses the cache', async () => {
    const root = await copyFixture('bundlers')
    const env = { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }
    const outDir = await withEnv(env, () => build(root, { widths: [64, 96] }))
    expect(server.generations()).toHaveLength(3)
    const { files, tile } = await expectFixtureEmitted(outDir, name)
    expect(tile.sources.map((s: any) => s.type)).toEqual(['image/webp'])

    const again = await withEnv({ SEGMIND_API_URL: server.url }, () => build(root, { widths: [64, 96] }))
    expect(server.generations()).toHaveLength(3)
    expect(await listFiles(again)).toEqual(files)
  })
})

describe('public paths', () => {
  it('webpack follows output.publicPath, including a CDN URL', async () => {
    const root = await copyFixture('bundlers')
    const outDir = await withEnv({}, () => BUNDLERS.webpack!(root, { provider: 'placeholder', widths: [64] }, 'https://cdn.example.com/v2/'))
    const { hero } = await bundleExports(outDir, false)
    expect(hero.src).toMatch(/^https:\/\/cdn\.example\.com\/v2\/assets\/hero-64\.[0-9a-f]{10}\.jpg$/)
  })

  it('esbuild writes next to its output and uses relative URLs without a publicPath', async () => {
    const root = await copyFixture('bundlers')
    const outDir = await withEnv({}, () => BUNDLERS.esbuild!(root, { provider: 'placeholder', widths: [64] }, ''))
    const { hero } = await bundleExports(outDir, true)
    expect(hero.src).toMatch(/^\.\/assets\/hero-64\.[0-9a-f]{10}\.jpg$/)
    expect(await listFiles(outDir)).toContain(hero.src.slice(2))
  })
})

describe('esbuild, which has no plugin logger', () => {
  /** What a build writes to stderr, as a terminal shows it. */
  async function stderrOf(work: () => Promise<unknown>): Promise<string> {
    const write = process.stderr.write.bind(process.stderr)
    let text = ''
    process.stderr.write = ((chunk: string) => { text += chunk; return true }) as typeof process.stderr.write
    try {
      await work()
    }
    finally {
      process.stderr.write = write
    }
    return text
  }
  const esbuildAt = (root: string, logLevel: esbuild.LogLevel) => esbuild.build({
    absWorkingDir: root, entryPoints: ['src/entry.js'], bundle: true, format: 'esm', outdir: 'dist', logLevel,
    plugins: [seedreamEsbuild({ root, widths: [64], retries: 0 })],
  })

  it('prints progress and the summary at logLevel info, as esbuild prints its own, and only warnings at its default', async () => {
    const root = await copyFixture('bundlers')
    const env = { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }
    const info = await withEnv(env, () => stderrOf(() => esbuildAt(root, 'info')))
    expect(info).toMatch(/\[seedream\] generated "hero"/)
    expect(info).toMatch(/\[seedream\] 3 generated \(~\$[\d.]+[^)]*\), 0 reused, 0 placeholder\(s\); \d+ variants made/)
    const quiet = await withEnv(env, () => stderrOf(() => esbuildAt(root, 'warning')))
    expect(quiet).toMatch(/\[seedream\] warning: "hero"/)
    expect(quiet).not.toMatch(/\[seedream\] (?!warning:)/)
  })
})
