import type { ViteDevServer } from 'vite'
import type { DevHost } from '../project'
import type { BundlerState, ProjectSlot } from './state'
import { fileId, isNamedId, SPEC_FILE } from '../model/ids'
import { createDevVariants } from '../project'

/**
 * The Vite dev server side: variants served on demand, a module reloaded in every environment
 * (client and SSR) when its generation lands, failures shown in Vite's error overlay.
 */
export function createViteDev(state: BundlerState, slot: ProjectSlot) {
  let server: ViteDevServer | undefined
  let variants: ReturnType<typeof createDevVariants> | undefined

  /**
   * Hot-updates a module in every environment that has it. A module whose first transform is
   * still running would not be updated (Vite has not seen its `import.meta.hot.accept()` yet),
   * so the update waits for that transform, for up to ten seconds; an invalidated one is fine.
   */
  function reload(id: string, tries = 100): void {
    for (const env of Object.values(server?.environments ?? {})) {
      const mod = env.moduleGraph.getModuleById(id)
      if (mod && !mod.transformResult && !mod.lastInvalidationTimestamp && tries > 0)
        return void setTimeout(() => reload(id, tries - 1), 100)
      if (mod)
        void env.reloadModule(mod)
    }
  }

  function reloadNamed(dev: ViteDevServer): void {
    for (const env of Object.values(dev.environments)) {
      for (const mod of env.moduleGraph.idToModuleMap.values()) {
        if (mod.id && isNamedId(mod.id))
          void env.reloadModule(mod)
      }
    }
  }

  return {
    configureServer(dev: ViteDevServer): void {
      server = dev
      dev.middlewares.use((req, res, next) => variants ? variants.middleware(req, res, next) : next())
    },

    host(id: string, variantsCacheDir: string, addWatchFile: (file: string) => void): DevHost {
      // The pool is the one the projects share: on-demand encodes and builds never oversubscribe.
      variants ??= createDevVariants(variantsCacheDir, slot.shared.sharp)
      return {
        picture: (original, out) => variants!.picture(original, out, state.publicPath),
        warn: m => state.logger?.warn(m),
        watch: addWatchFile,
        pending(generation) {
          generation.then(() => reload(id), (error: Error) => {
            state.logger?.warn(error.message)
            server?.ws.send({ type: 'error', err: { message: error.message, stack: '', plugin: 'unplugin-seedream', id } })
          })
        },
      }
    },

    /**
     * An edited spec file reloads its module; an edited config opens a new project and reloads
     * every named spec. Only specs whose picture changed miss the cache, so only they are generated again.
     */
    async specChanged(file: string): Promise<boolean> {
      if (!server)
        return false
      if (SPEC_FILE.test(file)) {
        reload(fileId(file))
        return true
      }
      if (slot.configFile() !== file)
        return false
      await slot.open(state.root ?? process.cwd(), state.logger, 'serve')
      reloadNamed(server)
      return true
    },
  }
}
