import type { SegmindServer } from './servers/segmind'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'vite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import seedream from '../src/vite'
import { captureLogger, copyFixture, exportsOf, listFiles, TEST_KEY, viteBuild, withEnv } from './helpers'
import { startSegmindServer } from './servers/segmind'

let server: SegmindServer
beforeEach(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY], latencyMs: 300 })
})
afterEach(() => server.close())

const options = { widths: [64, 128] }
const env = () => ({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url })

async function ssrBuild(root: string, plugin = seedream(options)) {
  const outDir = path.join(root, 'dist-server')
  await build({ root, configFile: false, logLevel: 'silent', plugins: [plugin], build: { ssr: 'src/entry-server.js', outDir, emptyOutDir: true } })
  const mod = await import(`${pathToFileURL(path.join(outDir, 'entry-server.mjs')).href}?t=${Date.now()}`)
  return mod.render()
}

async function expectSameUrls(ssr: Record<string, any>, clientOut: string) {
  const client = await exportsOf(clientOut)
  const files = await listFiles(clientOut)
  for (const name of ['hero', 'card']) {
    expect(ssr[name]).toEqual(client[name])
    expect(files).toContain(ssr[name].src.slice(1))
  }
}

describe('SSR and client builds of one app', () => {
  it('one after the other: the second build reuses the cache and the URLs are the same', async () => {
    const root = await copyFixture('vite-ssr')
    const client = await withEnv(env(), () => viteBuild(root, options))
    const ssr = await withEnv(env(), () => ssrBuild(root))
    expect(server.generations()).toHaveLength(2)
    await expectSameUrls(ssr, client.outDir)
  })

  it('at the same time with one plugin instance: each image is generated once', async () => {
    const root = await copyFixture('vite-ssr')
    const plugin = seedream(options)
    const [ssr] = await withEnv(env(), () => Promise.all([
      ssrBuild(root, plugin),
      build({ root, configFile: false, logLevel: 'silent', plugins: [plugin], build: { outDir: path.join(root, 'dist'), emptyOutDir: true, modulePreload: { polyfill: false } } }),
    ]))
    expect(server.generations()).toHaveLength(2)
    await expectSameUrls(ssr, path.join(root, 'dist'))
  })

  it('one plugin instance, one build after another (watch mode): the second reuses, and says so', async () => {
    const root = await copyFixture('vite-ssr')
    const plugin = seedream(options)
    const summaries: string[] = []
    for (let i = 0; i < 2; i++) {
      const { logger, lines } = captureLogger()
      await withEnv(env(), () => build({ root, configFile: false, customLogger: logger, plugins: [plugin], build: { outDir: path.join(root, 'dist'), emptyOutDir: true, modulePreload: { polyfill: false } } }))
      summaries.push(lines.find(l => l.includes('generated ('))!)
    }
    expect(server.generations()).toHaveLength(2)
    expect(summaries[0]).toContain('2 generated')
    // A settled generation is not held in memory: the second build reads the store, like any other.
    expect(summaries[1]).toContain('0 generated (~$0.00), 2 reused')
  })
})
