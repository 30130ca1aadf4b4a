import type { UnpluginFactory } from 'unplugin'
import path from 'node:path'
import type { Options } from '../model/options'
import type { BundlerState, FrameworkPreset } from './state'
import { SeedreamError } from '../model/errors'
import { isNamedId, parseSpecId, resolveSpecId, RUNTIME_ID } from '../model/ids'
import { assetNames, finishBuild, loadDevModule, loadModule, RUNTIME_CODE, settleCopies } from '../project'
import { esbuildConfigured, nativeLogger, viteConfigured, webpackConfigured } from './configured'
import { createHost } from './emit-host'
import { createProjectSlot } from './state'
import { createViteDev } from './vite-dev'

const ID = /\?seedream$/

/** A spec's error, said by the file that imports it. */
function importedBy(error: Error, id: string, importer: string | undefined, root: string): Error {
  if (!(error instanceof SeedreamError) || !importer)
    return error
  return new SeedreamError(`${path.relative(root, importer.split('?')[0]!)} imports '${id}': ${error.message}`, error.place, error.code)
}

/** The plugin for every bundler: each hook asks the current project, the bundler-specific parts live beside. */
export const seedreamFactory = (preset: FrameworkPreset = {}): UnpluginFactory<Options | undefined> => (options = {}, meta) => {
  const slot = createProjectSlot(options)
  const state: BundlerState = { framework: meta.framework, assetNames: preset.assetNames ?? assetNames('assets'), publicPath: '/', serve: false, preset, preloads: new Map() }
  const dev = createViteDev(state, slot)
  return {
    name: 'unplugin-seedream',
    enforce: 'pre',
    async buildStart() {
      state.logger ??= nativeLogger(this)
      await slot.open(state.root ?? process.cwd(), state.logger, state.serve ? 'serve' : 'build')
    },
    resolveId: {
      filter: { id: ID },
      handler: async (id, importer) => {
        const project = await slot.get()
        const resolved = resolveSpecId(id, importer, project.root)
        // An unknown name fails here, where the importing file is known.
        if (isNamedId(resolved))
          await project.specs.fromConfig((parseSpecId(resolved) as { name: string }).name).catch((error: Error) => { throw importedBy(error, id, importer, project.root) })
        return resolved
      },
    },
    load: {
      filter: { id: ID },
      async handler(id) {
        if (id === RUNTIME_ID)
          return RUNTIME_CODE
        const project = await slot.get()
        return state.serve
          ? loadDevModule(project, id, dev.host(id, project.options.variantsCacheDir, file => this.addWatchFile(file)))
          : loadModule(project, id, createHost(this, state))
      },
    },
    // Rollup and Vite pass the build's error: a failed build gets its error, not a summary.
    async buildEnd(...args: unknown[]) {
      if (state.serve || args[0])
        return
      const project = await slot.get().catch(() => undefined)
      // A frozen build checks its spec files beside its start: one that is wrong fails it here.
      await project?.checked
      if (state.preset.summary ?? true)
        await finishBuild(project, state.logger, !(state.development ?? process.env.NODE_ENV === 'development'))
    },
    async writeBundle() {
      if (!state.serve)
        await settleCopies(await slot.get().catch(() => undefined))
    },
    webpack: compiler => webpackConfigured(state, compiler),
    rspack: compiler => webpackConfigured(state, compiler),
    esbuild: { loader: 'js', setup: build => esbuildConfigured(state, build) },
    vite: {
      configResolved: config => viteConfigured(state, config),
      configureServer: server => dev.configureServer(server),
      // A priority picture's preload, in the <head> of each page whose entry chunk imports it.
      transformIndexHtml: {
        order: 'post',
        handler(_html, ctx) {
          const ids = ctx.chunk && new Set(ctx.chunk.moduleIds)
          return [...state.preloads].filter(([id]) => ids?.has(id)).map(([, attrs]) => ({ tag: 'link', attrs, injectTo: 'head-prepend' as const }))
        },
      },
      async handleHotUpdate({ file }) {
        if (await dev.specChanged(file))
          return []
      },
    },
  }
}

export const unpluginFactory = seedreamFactory()
