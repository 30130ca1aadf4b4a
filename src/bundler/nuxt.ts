import type { Options } from '../model/options'
import { createUnplugin } from 'unplugin'
import { unpluginFactory } from './factory'

/** The part of Nuxt this module uses. */
export interface NuxtLike {
  options: { rootDir: string, vite: { plugins?: unknown[] }, seedream?: Options }
}

/**
 * The Nuxt module: `modules: ['unplugin-seedream/nuxt']`, options under `seedream` in nuxt.config
 * (or inline). It adds the Vite plugin to Nuxt's client and server builds and its dev server,
 * with the project's root (Nuxt's Vite root is `app/`), so `seedream.config.*` and `.seedream/`
 * stay beside nuxt.config; pictures follow Nuxt's `_nuxt/` asset folder.
 */
export function seedreamNuxt(inlineOptions: Options = {}, nuxt: NuxtLike): void {
  const options = { root: nuxt.options.rootDir, ...nuxt.options.seedream, ...inlineOptions }
  nuxt.options.vite.plugins = [...nuxt.options.vite.plugins ?? [], createUnplugin(unpluginFactory).vite(options)]
}

seedreamNuxt.meta = { name: 'unplugin-seedream', configKey: 'seedream' }
