import type { Options } from '../model/options'

/**
 * Options given to the plugin in a bundler config, as each plugin is created. The CLI loads the
 * bundler config (vite.config.ts, next.config.mjs, …) and reads them here, so it sees the specs
 * a build sees. On globalThis under a registered symbol: the config may load another copy of
 * this package than the CLI's own.
 */
const REGISTRY = Symbol.for('unplugin-seedream.plugin-options')
type Registry = { [REGISTRY]?: Options[] }

export function notePluginOptions(options: Options | undefined): void {
  const registry = globalThis as Registry
  ;(registry[REGISTRY] ??= []).push(options ?? {})
}

/** The options of every plugin created in this process so far. */
export const pluginOptionsSeen = (): Options[] => [...(globalThis as Registry)[REGISTRY] ?? []]

/** Each bundler's plugin function of an unplugin instance, noting its options first. */
export function notingOptions<T extends object>(instance: T): T {
  return new Proxy(instance, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver)
      if (typeof value !== 'function' || key === 'raw')
        return value
      return (options?: Options) => {
        notePluginOptions(options)
        return value(options)
      }
    },
  })
}
