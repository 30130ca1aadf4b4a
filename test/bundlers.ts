import type { Options } from '../src/model/options'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import vm from 'node:vm'
import { rspack } from '@rspack/core'
import * as esbuild from 'esbuild'
import { rollup } from 'rollup'
import sharp from 'sharp'
import { expect } from 'vitest'
import webpack from 'webpack'
import seedreamEsbuild from '../src/esbuild'
import seedreamRollup from '../src/rollup'
import seedreamRspack from '../src/rspack'
import seedreamWebpack from '../src/webpack'
import { listFiles } from './helpers'

/** One real build of `src/entry.js` under root into root/dist, per bundler. */
export type BundlerBuild = (root: string, options: Options, publicPath?: string) => Promise<string>

function compile(compiler: any): Promise<void> {
  return new Promise((resolve, reject) => compiler.run((error: Error | null, stats: any) => {
    compiler.close(() => {})
    if (error)
      return reject(error)
    if (stats.hasErrors())
      return reject(new Error(stats.toString({ all: false, errors: true })))
    resolve()
  }))
}

/** webpack or Rspack, given its `webpack(config)` / `rspack(config)` function and the plugin entry. */
export const webpackLike = (make: any, plugin: any): BundlerBuild => async (root, options, publicPath = '/static/') => {
  const outDir = path.join(root, 'dist')
  await compile(make({
    mode: 'production',
    context: root,
    entry: './src/entry.js',
    output: { path: outDir, filename: 'main.js', publicPath },
    plugins: [plugin({ root, ...options })],
    optimization: { minimize: false },
    infrastructureLogging: { level: 'error' },
    stats: 'none',
  }))
  return outDir
}

/** Rollup, given its `rollup` function (a test may pass another version's). */
export const rollupBuild = (rollup: (options: any) => Promise<any>): BundlerBuild => async (root, options) => {
  const outDir = path.join(root, 'dist')
  const bundle = await rollup({ input: path.join(root, 'src/entry.js'), plugins: [seedreamRollup({ root, ...options })], logLevel: 'silent' })
  await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'main.js' })
  await bundle.close()
  return outDir
}

/** esbuild, given its module (a test may pass another version's). */
export const esbuildBuild = (esbuild: { build: (options: any) => Promise<unknown> }): BundlerBuild => async (root, options, publicPath = '/static/') => {
  const outDir = path.join(root, 'dist')
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/entry.js'],
    bundle: true,
    format: 'esm',
    outdir: outDir,
    entryNames: 'main',
    publicPath,
    logLevel: 'silent',
    plugins: [seedreamEsbuild({ root, ...options })],
  })
  return outDir
}

export const BUNDLERS: Record<string, BundlerBuild> = {
  webpack: webpackLike(webpack, seedreamWebpack),
  rspack: webpackLike(rspack, seedreamRspack),
  rollup: rollupBuild(rollup),
  esbuild: esbuildBuild(esbuild),
}

/** What the bundle put on globalThis: ES output is imported, webpack-style output run as a script. */
export async function bundleExports(outDir: string, esm: boolean): Promise<Record<string, any>> {
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

/** The URLs of a srcset, without their widths. */
export const urls = (srcset: string) => srcset.split(', ').map(c => c.split(' ')[0]!)

/** The emitted file a URL points at: under the public path, or a file: URL from import.meta.url. */
function fileOf(url: string, outDir: string, publicPath: string): string {
  if (url.startsWith('file:'))
    return path.relative(outDir, fileURLToPath(url)).split(path.sep).join('/')
  expect(url.startsWith(publicPath), `${url} starts with ${publicPath}`).toBe(true)
  return url.slice(publicPath.length)
}

/**
 * The `bundlers` fixture's build, checked: every URL hero, card and tile export points at an
 * emitted, content-hashed file of the width its name says; their sizes are the fixture's.
 */
export async function expectFixtureEmitted(outDir: string, kind: string) {
  const files = await listFiles(outDir)
  const publicPath = kind === 'rollup' ? '' : '/static/'
  const { hero, card, tile } = await bundleExports(outDir, kind === 'rollup' || kind === 'esbuild')
  for (const [image, count] of [[hero, 6], [card, 6], [tile, 4]] as const) {
    const all = [image.src, ...urls(image.srcset), ...image.sources.flatMap((s: any) => urls(s.srcset))]
    const emitted = [...new Set(all.map(u => fileOf(u, outDir, publicPath)))]
    expect(emitted).toHaveLength(count)
    for (const file of emitted) {
      expect(files).toContain(file)
      expect(file).toMatch(/^assets\/\w+-\d+\.[0-9a-f]{10}\.(?:avif|webp|jpg|png)$/)
      const meta = await sharp(path.join(outDir, file)).metadata()
      expect(meta.width).toBe(Number(file.match(/-(\d+)\./)![1]))
    }
  }
  expect([hero.width, hero.height]).toEqual([96, 54])
  expect([card.width, card.height]).toEqual([96, 128])
  expect(tile.src).toMatch(/tile-96\.[0-9a-f]{10}\.png$/)
  return { files, hero, card, tile }
}
