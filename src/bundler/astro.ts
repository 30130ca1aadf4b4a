import type { Options } from '../model/options'
import { createUnplugin } from 'unplugin'
import { notePluginOptions } from '../project'
import { unpluginFactory } from './factory'

/** The part of Astro's integration API this integration uses. */
export interface AstroIntegrationLike {
  name: string
  hooks: { 'astro:config:setup': (params: { updateConfig: (config: { vite: { plugins: unknown[] } }) => unknown }) => void }
}

/**
 * The Astro integration: `integrations: [seedream()]` in astro.config. It adds the Vite plugin to
 * Astro's builds and dev server; pictures follow Astro's `_astro/` asset folder.
 */
export function seedream(options: Options = {}): AstroIntegrationLike {
  notePluginOptions(options)
  return {
    name: 'unplugin-seedream',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({ vite: { plugins: [createUnplugin(unpluginFactory).vite(options)] } })
      },
    },
  }
}
