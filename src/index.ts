import type { UnpluginFactory } from 'unplugin'
import type { Options } from './model/options'
import type { BundlerState } from './bundler/host'
import { createUnplugin } from 'unplugin'
import { createSeedream } from './project/open-project'
import { RUNTIME_CODE } from './project/code/module'
import { buildSummary, createHost, esbuildConfigured, nativeLogger, viteConfigured, webpackConfigured } from './bundler/host'
import { RUNTIME_ID } from './model/ids'
import { createViteDev } from './bundler/vite-dev'

export { defineConfig } from './project/config'
export { HttpError, SeedreamError, SpecError } from './model/errors'
export type { Options } from './model/options'
export type * from './model/types'

const ID = /\?seedream$/

export const unpluginFactory: UnpluginFactory<Options | undefined> = (options = {}, meta) => {
  const seedream = createSeedream(options)
  const state: BundlerState = { framework: meta.framework, assetsDir: 'assets', publicPath: '/', serve: false }
  const dev = createViteDev(state, seedream)
  return {
    name: 'unplugin-seedream',
    enforce: 'pre',
    async buildStart() {
      state.logger ??= nativeLogger(this)
      await seedream.setup(state.root ?? process.cwd(), state.logger, state.serve ? 'serve' : 'build')
    },
    resolveId: {
      filter: { id: ID },
      handler: (id, importer) => seedream.resolveId(id, importer),
    },
    load: {
      filter: { id: ID },
      handler(id) {
        if (id === RUNTIME_ID)
          return RUNTIME_CODE
        return state.serve ? seedream.loadDev(id, dev.host(id, file => this.addWatchFile(file))) : seedream.load(id, createHost(this, state))
      },
    },
    // Rollup and Vite pass the build's error: a failed build gets its error, not a summary.
    buildEnd(...args: unknown[]) {
      if (!state.serve && !args[0])
        state.logger?.info(buildSummary(seedream.stats()))
    },
    webpack: compiler => webpackConfigured(state, compiler),
    rspack: compiler => webpackConfigured(state, compiler),
    esbuild: {
      loader: 'js',
      setup: build => esbuildConfigured(state, build),
    },
    vite: {
      configResolved: config => viteConfigured(state, config),
      configureServer: server => dev.configureServer(server),
      async handleHotUpdate({ file }) {
        if (await dev.specChanged(file))
          return []
      },
    },
  }
}

export const unplugin = /* #__PURE__ */ createUnplugin(unpluginFactory)
export default unplugin
