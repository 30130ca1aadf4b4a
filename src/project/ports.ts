import type { ResolvedOutput } from '../model/resolved'
import type { AssetNames, EmitAsset } from './code/module'
import type { Original } from './generation/original'

/**
 * What the project needs from whoever drives it (a bundler, the CLI, the function API): the
 * project defines these, the drivers implement them, so no project code knows a bundler.
 */
export interface Logger {
  info: (message: string) => void
  warn: (message: string) => void
}

/** What a build offers one module load: where to put files and how to talk to the user. */
export interface Host extends Logger {
  emit: EmitAsset
  /** Where each asset goes, as the bundler's own `assetFileNames` would put it. */
  assetNames: AssetNames
  watch: (file: string) => void
  /** Where the bundler can put a `<link rel="preload">` of a priority picture in the page (Vite's HTML). */
  preload?: { url: (fileName: string) => string, add: (moduleId: string, attrs: Record<string, string>) => void }
}

/** What the dev server offers one module load. */
export interface DevHost {
  picture: (original: Original, out: ResolvedOutput) => Promise<object>
  /** Called with a generation under way; the module is reloaded when it settles. */
  pending: (generation: Promise<unknown>) => void
  warn: (message: string) => void
  watch: (file: string) => void
}

/** What one run (a build, a CLI command) paid for, reused and emitted. */
export interface RunStats {
  generated: number
  reused: number
  variantsMade: number
  variantsReused: number
  bytesEmitted: number
  spend: number
  remainingCredits?: number
  /** Specs this run drew with the offline placeholder provider: `hero (seedream.config.ts)`. */
  placeholders: Set<string>
}
