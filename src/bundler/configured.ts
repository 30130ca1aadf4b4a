import type { PluginBuild } from 'esbuild'
import type { ResolvedConfig } from 'vite'
import type { AssetNames, Logger } from '../project'
import { assetNames, stderrLogger } from '../project'
import type { BundlerState } from './state'
import path from 'node:path'

type Output = { assetFileNames?: string | ((info: object) => string) }

/**
 * Vite's asset names: its output's `assetFileNames` (a pattern, or a function of the asset giving
 * one), as SvelteKit and Nuxt set them; else `build.assetsDir`, with our `[name].[hash]` naming.
 */
function viteAssetNames(config: ResolvedConfig): AssetNames {
  const build = config.build as ResolvedConfig['build'] & { rolldownOptions?: { output?: Output | Output[] } }
  const output = build.rolldownOptions?.output ?? (build.rollupOptions?.output as Output | Output[] | undefined)
  const names = (Array.isArray(output) ? output[0] : output)?.assetFileNames
  if (typeof names === 'string')
    return () => names
  if (typeof names === 'function')
    return name => names({ type: 'asset', name, names: [name], originalFileName: null, originalFileNames: [], source: '' })
  return assetNames(config.build.assetsDir)
}

/** Vite: its root, assets folder, base and logger; `serve` for the dev server. */
export function viteConfigured(state: BundlerState, config: ResolvedConfig): void {
  Object.assign(state, {
    root: config.root,
    assetNames: viteAssetNames(config),
    publicPath: config.base,
    directUrls: /^(?:\/|https?:\/\/)/.test(config.base) && !config.experimental?.renderBuiltUrl,
    serve: config.command === 'serve',
    development: config.mode === 'development',
    logger: {
      info: (m: string) => config.logger.info(`[seedream] ${m}`, { timestamp: true }),
      warn: (m: string) => config.logger.warn(`[seedream] ${m}`, { timestamp: true }),
    },
  })
}

/** Rollup's own `this.info`, where the bundler has one; webpack's comes from its compiler. */
export function nativeLogger(ctx: unknown): Logger | undefined {
  const rollup = ctx as { info?: (m: string) => void, warn: (m: string) => void }
  if (typeof rollup.info !== 'function')
    return undefined
  return { info: m => rollup.info!(`[seedream] ${m}`), warn: m => rollup.warn(`[seedream] ${m}`) }
}

/** webpack and Rspack: a `?seedream` module is JavaScript, even when its file is `.json`. */
interface WebpackLikeCompiler {
  options: { context?: string, mode?: string, module: { rules: unknown[] } }
  getInfrastructureLogger: (name: string) => { info: (m: string) => void, warn: (m: string) => void }
}

export function webpackConfigured(state: BundlerState, compiler: WebpackLikeCompiler): void {
  state.root ??= compiler.options.context
  state.development = compiler.options.mode === 'development'
  const logger = compiler.getInfrastructureLogger('unplugin-seedream')
  state.logger = { info: m => logger.info(m), warn: m => logger.warn(m) }
  compiler.options.module.rules.push({ resourceQuery: /seedream/, type: 'javascript/auto' })
}

/**
 * esbuild has no logger for plugins: lines go to stderr as its own do, at its `logLevel`
 * (progress and the summary from `info`, warnings from `warning`; the JS API's default is `warning`).
 */
function esbuildLogger(level = 'warning'): Logger {
  const rank = ['silent', 'error', 'warning', 'info', 'debug', 'verbose'].indexOf(level)
  return { info: m => rank >= 3 && stderrLogger.info(m), warn: m => rank >= 2 && stderrLogger.warn(m) }
}

/** esbuild: URLs like its file loader's, under `publicPath`, else relative to the output folder. */
export function esbuildConfigured(state: BundlerState, build: PluginBuild): void {
  const { absWorkingDir, outdir, outfile, publicPath, logLevel } = build.initialOptions
  state.logger = esbuildLogger(logLevel)
  const cwd = absWorkingDir ?? process.cwd()
  state.root ??= cwd
  state.outDir = path.resolve(cwd, outdir ?? (outfile ? path.dirname(outfile) : '.'))
  state.publicPath = publicPath ? `${publicPath.replace(/\/+$/, '')}/` : './'
}
