import type { PluginBuild } from 'esbuild'
import type { ResolvedConfig } from 'vite'
import type { Host } from './context'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** What the bundler told us about itself; filled by bundler-specific hooks before the build. */
export interface BundlerState {
  framework: string
  root?: string
  /** Where esbuild writes: unplugin's emitFile only knows `outdir`. */
  outDir?: string
  assetsDir: string
  publicPath: string
  serve: boolean
  logger?: { info: (m: string) => void, warn: (m: string) => void }
}

interface EmitContext {
  emitFile: (file: { type: 'asset', fileName: string, source: Uint8Array }) => unknown
  warn: (message: string) => void
  addWatchFile: (file: string) => void
}

/**
 * The host for one `load`: Rollup and Vite return a reference id from emitFile and resolve
 * `import.meta.ROLLUP_FILE_URL_*` against their `base`; other bundlers get a URL we build.
 */
export function createHost(ctx: EmitContext, state: BundlerState): Host {
  const log = state.logger
  return {
    assetsDir: state.assetsDir,
    info: m => log?.info(m),
    warn: m => log ? log.warn(m) : ctx.warn(m),
    watch: file => ctx.addWatchFile(file),
    async emit(fileName, sourcePath) {
      const source = await readFile(sourcePath)
      if (state.framework === 'esbuild') {
        await mkdir(path.dirname(path.join(state.outDir!, fileName)), { recursive: true })
        await writeFile(path.join(state.outDir!, fileName), source)
        return JSON.stringify(state.publicPath + fileName)
      }
      const ref = ctx.emitFile({ type: 'asset', fileName, source })
      if (typeof ref === 'string')
        return `import.meta.ROLLUP_FILE_URL_${ref}`
      // webpack and Rspack resolve their public path at run time, `auto` included.
      return `__webpack_public_path__ + ${JSON.stringify(fileName)}`
    },
  }
}

export function viteConfigured(state: BundlerState, config: ResolvedConfig): void {
  Object.assign(state, {
    root: config.root,
    assetsDir: config.build.assetsDir,
    publicPath: config.base,
    serve: config.command === 'serve',
    logger: {
      info: (m: string) => config.logger.info(`[seedream] ${m}`, { timestamp: true }),
      warn: (m: string) => config.logger.warn(`[seedream] ${m}`, { timestamp: true }),
    },
  })
}

/** webpack and Rspack: a `?seedream` module is JavaScript, even when its file is `.json`. */
export function webpackConfigured(state: BundlerState, compiler: { options: { context?: string, module: { rules: unknown[] } } }): void {
  state.root ??= compiler.options.context
  compiler.options.module.rules.push({ resourceQuery: /seedream/, type: 'javascript/auto' })
}

/** esbuild: URLs like its file loader's, under `publicPath`, else relative to the output folder. */
export function esbuildConfigured(state: BundlerState, build: PluginBuild): void {
  const { absWorkingDir, outdir, outfile, publicPath } = build.initialOptions
  const cwd = absWorkingDir ?? process.cwd()
  state.root ??= cwd
  state.outDir = path.resolve(cwd, outdir ?? (outfile ? path.dirname(outfile) : '.'))
  state.publicPath = publicPath ? `${publicPath.replace(/\/+$/, '')}/` : './'
}
