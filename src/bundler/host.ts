import type { PluginBuild } from 'esbuild'
import type { ResolvedConfig } from 'vite'
import type { EmitAsset } from '../project/code/module'
import type { ResolvedOutput } from '../model/options'
import type { Original } from '../project/generation/originals'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

export interface Logger {
  info: (message: string) => void
  warn: (message: string) => void
}

/** What the bundler offers the pipeline: where to put files and how to talk to the user. */
export interface Host extends Logger {
  emit: EmitAsset
  assetsDir: string
  watch: (file: string) => void
}

/** What the dev server offers the pipeline. */
export interface DevHost {
  picture: (original: Original, out: ResolvedOutput) => Promise<object>
  /** Called with a generation under way; the module is reloaded when it settles. */
  pending: (generation: Promise<unknown>) => void
  warn: (message: string) => void
  watch: (file: string) => void
}

export interface BuildStats {
  generated: number
  reused: number
  variantsMade: number
  variantsReused: number
  bytesEmitted: number
  spend: number
  remainingCredits?: number
}

/** What the bundler told us about itself; filled by bundler-specific hooks before the build. */
export interface BundlerState {
  framework: string
  root?: string
  /** Where esbuild writes: unplugin's emitFile only knows `outdir`. */
  outDir?: string
  assetsDir: string
  publicPath: string
  /** Vite with an absolute `base` and no renderBuiltUrl: URLs are `base + fileName`, built here. */
  directUrls?: boolean
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
  const warn = (m: string) => log ? log.warn(m) : ctx.warn(m)
  // Takes the bytes, not a path: they were verified against the cache's manifest when read.
  const emit: EmitAsset = Object.assign(async (fileName: string, source: Uint8Array) => {
    if (state.framework === 'esbuild') {
      await mkdir(path.dirname(path.join(state.outDir!, fileName)), { recursive: true })
      await writeFile(path.join(state.outDir!, fileName), source)
      return JSON.stringify(state.publicPath + fileName)
    }
    const ref = ctx.emitFile({ type: 'asset', fileName, source })
    // Vite resolves each import.meta.ROLLUP_FILE_URL_* in JavaScript after bundling, which is
    // the larger part of a warm build of many images; an absolute base needs none of it.
    if (state.directUrls)
      return JSON.stringify(state.publicPath + fileName)
    if (typeof ref === 'string')
      return `import.meta.ROLLUP_FILE_URL_${ref}`
    // webpack and Rspack resolve their public path at run time, `auto` included.
    return `__webpack_public_path__ + ${JSON.stringify(fileName)}`
  }, { warn })
  return {
    assetsDir: state.assetsDir,
    info: m => log?.info(m),
    warn,
    watch: file => ctx.addWatchFile(file),
    emit,
  }
}

export function viteConfigured(state: BundlerState, config: ResolvedConfig): void {
  Object.assign(state, {
    root: config.root,
    assetsDir: config.build.assetsDir,
    publicPath: config.base,
    directUrls: /^(?:\/|https?:\/\/)/.test(config.base) && !config.experimental?.renderBuiltUrl,
    serve: config.command === 'serve',
    logger: {
      info: (m: string) => config.logger.info(`[seedream] ${m}`, { timestamp: true }),
      warn: (m: string) => config.logger.warn(`[seedream] ${m}`, { timestamp: true }),
    },
  })
}

/** Rollup's own `this.info`, where the bundler has one; webpack's comes from its compiler. */
export function nativeLogger(ctx: unknown): BundlerState['logger'] {
  const rollup = ctx as { info?: (m: string) => void, warn: (m: string) => void }
  if (typeof rollup.info !== 'function')
    return undefined
  return { info: m => rollup.info!(`[seedream] ${m}`), warn: m => rollup.warn(`[seedream] ${m}`) }
}

/** The end-of-build line: what was paid for, reused and emitted. */
export function buildSummary(s: BuildStats | undefined): string {
  if (!s)
    return 'no image'
  const kib = (s.bytesEmitted / 1024).toFixed(0)
  const credits = s.remainingCredits === undefined ? '' : `, ${s.remainingCredits} credits left`
  return `${s.generated} generated (~$${s.spend.toFixed(2)}${credits}), ${s.reused} reused; `
    + `${s.variantsMade} variants made, ${s.variantsReused} reused; ${kib} KiB emitted`
}

/** webpack and Rspack: a `?seedream` module is JavaScript, even when its file is `.json`. */
interface WebpackLikeCompiler {
  options: { context?: string, module: { rules: unknown[] } }
  getInfrastructureLogger: (name: string) => { info: (m: string) => void, warn: (m: string) => void }
}

export function webpackConfigured(state: BundlerState, compiler: WebpackLikeCompiler): void {
  state.root ??= compiler.options.context
  const logger = compiler.getInfrastructureLogger('unplugin-seedream')
  state.logger = { info: m => logger.info(m), warn: m => logger.warn(m) }
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
