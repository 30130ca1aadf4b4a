import type { EmitAsset, Host } from '../project'
import type { BundlerState } from './state'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

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
    // Next.js's compilers each write to their own folder: every one writes the file to the client's.
    const ref = ctx.emitFile({ type: 'asset', fileName: state.preset.emitPath?.(fileName) ?? fileName, source })
    // Vite resolves each import.meta.ROLLUP_FILE_URL_* in JavaScript after bundling, which is
    // the larger part of a warm build of many images; an absolute base needs none of it.
    if (state.directUrls)
      return JSON.stringify(state.publicPath + fileName)
    // Vite's own asset placeholder: it becomes the URL its `base` and `experimental.renderBuiltUrl`
    // say, in client and SSR builds alike (Nuxt's server build renders `/_nuxt/…` through it,
    // where import.meta.ROLLUP_FILE_URL_* would give a file: URL).
    if (typeof ref === 'string' && state.framework === 'vite')
      return JSON.stringify(`__VITE_ASSET__${ref}__`)
    if (typeof ref === 'string')
      return `import.meta.ROLLUP_FILE_URL_${ref}`
    // webpack and Rspack resolve their public path at run time, `auto` included.
    return `__webpack_public_path__ + ${JSON.stringify(fileName)}`
  }, { warn })
  return {
    assetNames: state.assetNames,
    info: m => log?.info(m),
    warn,
    watch: file => ctx.addWatchFile(file),
    emit,
    preload: state.framework === 'vite' && !state.serve
      ? { url: fileName => state.publicPath + fileName, add: (id, attrs) => state.preloads.set(id, attrs) }
      : undefined,
  }
}
