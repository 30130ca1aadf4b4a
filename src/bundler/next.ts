import type { Options } from '../model/options'
import type { NextTurbopackLike } from './next-turbopack'
import path from 'node:path'
import { createUnplugin } from 'unplugin'
import { assetNames, notePluginOptions } from '../project'
import { seedreamFactory } from './factory'
import { turbopackConfig } from './next-turbopack'

/** The part of next.config this wrapper touches. */
export interface NextConfigLike extends NextTurbopackLike {
  webpack?: ((config: any, context: any) => any) | null
  [key: string]: unknown
}

/** What Next.js passes to `webpack()` that this wrapper reads. */
interface NextWebpackContext { isServer: boolean, nextRuntime?: string }

/**
 * Wraps a Next.js config, for Turbopack (`next build`, `next dev`: see next-turbopack.ts) and
 * webpack (`next build --webpack`, `next dev --webpack`). With webpack, files go to
 * `static/media/` of the client's output, served as `/_next/static/media/…` with immutable
 * caching, under `assetPrefix` and `basePath`. Each of Next's compilers gets the plugin: whichever
 * meets an import (server components are only seen by the server one) writes the file there, and
 * only the Node.js server compiler, which sees every page, prints the summary.
 */
export function withSeedream<T extends NextConfigLike>(nextConfig: T = {} as T, options: Options = {}): T {
  notePluginOptions(options)
  return {
    ...nextConfig,
    turbopack: turbopackConfig(nextConfig, options),
    webpack(config: any, context: NextWebpackContext) {
      const result = nextConfig.webpack ? nextConfig.webpack(config, context) : config
      // The client writes to the dist folder (`.next`, `.next/dev` in dev), the others below it in `server/`.
      const out: string = result.output.path
      const server = out.lastIndexOf(`${path.sep}server`)
      const up = context.isServer && server >= 0 ? path.relative(out, out.slice(0, server)).split(path.sep).join('/') : ''
      result.plugins.push(createUnplugin(seedreamFactory({
        assetNames: assetNames('static/media'),
        emitPath: fileName => up ? `${up}/${fileName}` : fileName,
        summary: context.isServer && context.nextRuntime === 'nodejs',
      })).webpack(options))
      return result
    },
  }
}
