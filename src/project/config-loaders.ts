import { stat } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { createJiti } from 'jiti'

/**
 * jiti compiles `seedream.config.ts` itself (as Nuxt, Tailwind and ESLint load theirs), so a config
 * loads whatever TypeScript the project has installed, or none: cosmiconfig's own TypeScript
 * loader calls the `typescript` package's API, which TypeScript 7 no longer has. No module cache
 * (an edited config is read anew) and no disk cache (nothing on disk is trusted between runs).
 */
const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false, interopDefault: true })

/** Node caches imported modules by URL, so an edited config is imported under a new one. */
export async function importFresh(filepath: string): Promise<unknown> {
  const { mtimeMs } = await stat(filepath)
  const mod = await import(`${pathToFileURL(filepath).href}?t=${mtimeMs}`)
  return mod.default ?? mod
}

/** A TypeScript config (or a bundler config, for the CLI), without the `typescript` package. */
export const importScript = (filepath: string): Promise<unknown> => jiti.import(filepath, { default: true })

/** Any JavaScript or TypeScript config, synchronously: for a wrapper that must answer at once (Next.js' config). */
export function requireConfig(filepath: string): unknown {
  const mod = jiti(filepath) as { default?: unknown }
  return mod?.default ?? mod
}
