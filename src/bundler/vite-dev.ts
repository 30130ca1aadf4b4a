import type { DevEnvironment, EnvironmentModuleNode, ViteDevServer } from 'vite'
import type { DevHost } from '../project'
import type { BundlerState, ProjectSlot } from './state'
import type { ResolvedSpec } from '../model/resolved'
import path from 'node:path'
import { fileId, isNamedId, QUERY, resolveSpecId, SPEC_FILE } from '../model/ids'
import { createDevVariants, REVIEW_PATH, reviewHandler } from '../project'

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
    const envs = Object.values(server?.environments ?? {})
    const mods = envs.map(env => env.moduleGraph.getModuleById(id))
    if (tries > 0 && mods.some(mod => mod && !mod.transformResult && !mod.lastInvalidationTimestamp))
      return void setTimeout(() => reload(id, tries - 1), 100)
    void reloadIn(envs.flatMap((env, i) => mods[i] ? [[env, mods[i]] as const] : []))
  }

  /**
   * A module only the server has (imported in Astro frontmatter, a server load function) has no
   * HMR boundary in any browser: once the server has the new one, open pages reload, as Vite
   * does for a changed server file.
   */
  async function reloadIn(found: Array<readonly [DevEnvironment, EnvironmentModuleNode]>): Promise<void> {
    await Promise.all(found.map(([env, mod]) => env.reloadModule(mod)))
    if (found.length && !found.some(([env]) => env.name === 'client'))
      server?.environments.client?.hot.send({ type: 'full-reload' })
  }

  function reloadNamed(dev: ViteDevServer): void {
    const ids = new Set(Object.values(dev.environments).flatMap(env => [...env.moduleGraph.idToModuleMap.keys()]))
    for (const id of ids) {
      if (isNamedId(id))
        reload(id)
    }
  }

  /** The modules of one spec: its name in the config, or its spec file. */
  function reloadSpec(spec: ResolvedSpec): void {
    const root = state.root ?? process.cwd()
    reload(resolveSpecId(`${spec.name}${QUERY}`, undefined, root))
    if (spec.file && SPEC_FILE.test(spec.file))
      reload(fileId(path.resolve(root, spec.file)))
  }

  return {
    configureServer(dev: ViteDevServer): void {
      server = dev
      dev.middlewares.use((req, res, next) => variants ? variants.middleware(req, res, next) : next())
      // The review page: a pick hot-updates the spec's modules, as a generation landing does.
      const review = reviewHandler({ project: () => slot.get(), specs: project => project.specs.all(), base: REVIEW_PATH, changed: reloadSpec })
      dev.middlewares.use((req, res, next) => void review(req, res, next))
      dev.httpServer?.once('listening', () => setTimeout(() => {
        const url = dev.resolvedUrls?.local[0]
        if (url)
          state.logger?.info(`review the generated pictures at ${new URL(`${REVIEW_PATH.slice(1)}/`, url)}`)
      }))
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
