import type { BundlerBuild } from './bundlers'
import type { SegmindServer } from './servers/segmind'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import vm from 'node:vm'
import * as esbuildNewest from 'esbuild'
import * as esbuildOldest from 'esbuild-oldest'
import { rollup as rollupNewest } from 'rollup'
import { rollup as rollupOldest } from 'rollup-oldest'
import { rspack as rspackOldest } from 'rspack-oldest'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import webpackOldest from 'webpack-oldest'
import seedreamRspack from '../src/rspack'
import seedreamWebpack from '../src/webpack'
import { BUNDLERS, esbuildBuild, rollupBuild, webpackLike } from './bundlers'
import { copyFixture, listFiles, TEST_KEY, withEnv } from './helpers'
import { installedVersion, TESTED } from './peers'
import { startSegmindServer } from './servers/segmind'

/**
 * The peer ranges of webpack, Rollup, esbuild and Rspack: the oldest version claimed (an npm
 * alias, see test/peers.ts) and the newest each do a real build. The plugin entries are typed
 * for the newest; each older bundler gets the same object.
 */
const BUILDS: Record<string, { kind: string, build: BundlerBuild }> = {
  'webpack-oldest': { kind: 'webpack', build: webpackLike(webpackOldest, seedreamWebpack) },
  'webpack': { kind: 'webpack', build: BUNDLERS.webpack! },
  'rspack-oldest': { kind: 'rspack', build: webpackLike(rspackOldest, seedreamRspack) },
  '@rspack/core': { kind: 'rspack', build: BUNDLERS.rspack! },
  'rollup-oldest': { kind: 'rollup', build: rollupBuild(rollupOldest) },
  'rollup': { kind: 'rollup', build: rollupBuild(rollupNewest) },
  'esbuild-oldest': { kind: 'esbuild', build: esbuildBuild(esbuildOldest) },
  'esbuild': { kind: 'esbuild', build: esbuildBuild(esbuildNewest) },
}
const MATRIX = ['webpack', '@rspack/core', 'rollup', 'esbuild'].flatMap(peer => TESTED[peer]!.map(name => [`${name} (${installedVersion(name)})`, BUILDS[name]!] as const))

let server: SegmindServer
beforeEach(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
})
afterEach(() => server.close())

/** What the bundle put on globalThis: ES output is imported, webpack-style output run as a script. */
async function run(outDir: string, esm: boolean): Promise<Record<string, any>> {
  const file = path.join(outDir, 'main.js')
  if (!esm) {
    const sandbox: Record<string, any> = {}
    vm.runInNewContext(await readFile(file, 'utf8'), sandbox)
    return sandbox.__seedream
  }
  delete (globalThis as any).__seedream
  await import(`${pathToFileURL(file).href}?t=${Date.now()}`)
  return (globalThis as any).__seedream
}

const urls = (srcset: string) => srcset.split(', ').map(c => c.split(' ')[0]!)

describe.each(MATRIX)('%s', (_, { kind, build }) => {
  it('builds: emits every variant and the module exports URLs that point at them', async () => {
    const root = await copyFixture('bundlers')
    const outDir = await withEnv({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }, () => build(root, { widths: [64, 96] }))
    expect(server.generations()).toHaveLength(3)
    const files = await listFiles(outDir)
    const publicPath = kind === 'rollup' ? '' : '/static/'
    const { hero, card, tile } = await run(outDir, kind === 'rollup' || kind === 'esbuild')

    for (const [image, count] of [[hero, 6], [card, 6], [tile, 4]] as const) {
      const all = [...new Set([image.src, ...urls(image.srcset), ...image.sources.flatMap((s: any) => urls(s.srcset))])]
      expect(all).toHaveLength(count)
      for (const url of all) {
        // Rollup resolves import.meta.ROLLUP_FILE_URL_* to a file: URL next to the chunk.
        const file = url.startsWith('file:') ? path.relative(outDir, fileURLToPath(url)).split(path.sep).join('/') : url.slice(publicPath.length)
        expect(url.startsWith('file:') || url.startsWith(publicPath), url).toBe(true)
        expect(files).toContain(file)
        expect(file).toMatch(/^assets\/\w+-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg|png)$/)
        const meta = await sharp(path.join(outDir, file)).metadata()
        expect(meta.width).toBe(Number(file.match(/-(\d+)\./)![1]))
      }
    }
    expect([hero.width, hero.height]).toEqual([96, 54])
    expect([card.width, card.height]).toEqual([96, 128])
    expect(tile.src).toMatch(/tile-96\.[0-9a-f]{10}\.png$/)
  })
})
