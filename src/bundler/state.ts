import type { Options } from '../model/options'
import type { AssetNames, Logger, Project } from '../project'
import path from 'node:path'
import { createSharedWork, openProject, writeSpecTypes } from '../project'

/** What a framework wrapper (withSeedream for Next.js) changes in the plugin. */
export interface FrameworkPreset {
  /** Where assets go (Next.js serves `static/media/` under `/_next/` with immutable caching). */
  assetNames?: AssetNames
  /** Where the file a URL names `fileName` is written, relative to the bundler's output folder. */
  emitPath?: (fileName: string) => string
  /** Whether this compiler's build ends with the summary (Next.js: one per build, not one per compiler). */
  summary?: boolean
}

/** What the bundler told us about itself; filled by bundler-specific hooks before the build. */
export interface BundlerState {
  framework: string
  root?: string
  /** Where esbuild writes: unplugin's emitFile only knows `outdir`. */
  outDir?: string
  /** Where assets go: Vite's `assetFileNames` (SvelteKit's `_app/immutable/assets/`), else `assets/`. */
  assetNames: AssetNames
  publicPath: string
  /** Vite with an absolute `base` and no renderBuiltUrl: URLs are `base + fileName`, built here. */
  directUrls?: boolean
  serve: boolean
  /** Vite: `<link rel="preload">` attributes of the priority pictures this build loaded, by module id. */
  preloads: Map<string, Record<string, string>>
  /** The bundler says this build is for development (Vite's mode, webpack's `mode`, NODE_ENV): no placeholder warning. */
  development?: boolean
  logger?: Logger
  preset: FrameworkPreset
}

/**
 * The plugin's current project. Each build start (and each config edit in the dev server) opens a
 * new one and swaps it in with one assignment; a load takes the project current when it starts
 * and finishes on it. Generations in flight and the sharp pool are shared across the swap.
 */
export function createProjectSlot(userOptions: Options) {
  const shared = createSharedWork()
  let current: Promise<Project> | undefined
  // The last project that opened: its config file is watched even while an edit breaks it.
  let lastOpened: Project | undefined
  return {
    shared,
    open(root: string, logger: Logger | undefined, mode: 'build' | 'serve'): Promise<Project> {
      current = openProject(root, userOptions, { mode, logger, shared })
      current.then((p) => {
        lastOpened = p
        writeSpecTypes(p).catch((error: Error) => logger?.warn(`could not write ${p.options.dts}: ${error.message}`))
      }, () => {})
      return current
    },
    /** The config file of the last project that opened, absolute. */
    configFile(): string | undefined {
      const options = lastOpened?.options
      return options?.configPath && path.resolve(options.root, options.configPath)
    },
    /** webpack may start loading modules before buildStart's promise settles: they wait for it. */
    get(): Promise<Project> {
      return current ?? Promise.reject(new Error('unplugin-seedream: a module was loaded before the build started'))
    },
  }
}

export type ProjectSlot = ReturnType<typeof createProjectSlot>
