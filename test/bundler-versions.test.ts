import type { BundlerBuild } from './bundlers'
import type { SegmindServer } from './servers/segmind'
import * as esbuildNewest from 'esbuild'
import * as esbuildOldest from 'esbuild-oldest'
import { rollup as rollupNewest } from 'rollup'
import { rollup as rollupOldest } from 'rollup-oldest'
import { rspack as rspackOldest } from 'rspack-oldest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import webpackOldest from 'webpack-oldest'
import seedreamRspack from '../src/rspack'
import seedreamWebpack from '../src/webpack'
import { BUNDLERS, esbuildBuild, expectFixtureEmitted, rollupBuild, webpackLike } from './bundlers'
import { copyFixture, TEST_KEY, withEnv } from './helpers'
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

describe.each(MATRIX)('%s', (_, { kind, build }) => {
  it('builds: emits every variant and the module exports URLs that point at them', async () => {
    const root = await copyFixture('bundlers')
    const outDir = await withEnv({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }, () => build(root, { widths: [64, 96] }))
    expect(server.generations()).toHaveLength(3)
    await expectFixtureEmitted(outDir, kind)
  })
})
