import type { Options } from '../src/model/options'
import path from 'node:path'
import { rspack } from '@rspack/core'
import * as esbuild from 'esbuild'
import { rollup } from 'rollup'
import webpack from 'webpack'
import seedreamEsbuild from '../src/esbuild'
import seedreamRollup from '../src/rollup'
import seedreamRspack from '../src/rspack'
import seedreamWebpack from '../src/webpack'

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
