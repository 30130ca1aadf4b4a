import type { Options } from '../model/options'
import type { SeedreamImage, SeedreamSpec } from '../model/types'
import type { Logger } from '../project'
import path from 'node:path'
import { noteOnce, projectOnce, scrubbed, stderrLogger, writeImageFiles } from '../project'

/** Options of `image()`: the plugin's options, plus where the files go and how they are named in URLs. */
export interface ImageOptions extends Options {
  /**
   * Folder the variant files are written to, relative to `root`.
   * @default 'img'
   */
  outDir?: string
  /**
   * What goes before each file name in the URLs (`src`, `srcset`, `html`).
   * @default '/img/'
   */
  urlPrefix?: string
  /**
   * A name for an inline spec: it starts the file names (`hero-640.1a2b3c4d5e.avif`).
   * @default 'image'
   */
  name?: string
  /**
   * Where progress and warnings go.
   * @default lines on stderr, prefixed with `[seedream]`
   */
  logger?: Logger
}


/**
 * The function API: the same `SeedreamImage` a `?seedream` import gets, without a bundler. `spec`
 * is a named spec of the project's config (or its options) or a spec object; the variants are
 * written to `outDir` and their URLs start with `urlPrefix`.
 */
export function image(spec: string | SeedreamSpec, imageOptions: ImageOptions = {}): Promise<SeedreamImage> {
  const { outDir = 'img', urlPrefix = '/img/', name = 'image', logger = stderrLogger, ...options } = imageOptions
  return scrubbed(async () => {
    const project = await projectOnce(path.resolve(options.root ?? process.cwd()), options, logger)
    const resolved = typeof spec === 'string' ? await project.specs.fromConfig(spec) : await project.specs.fromObject(spec, name)
    noteOnce(resolved, logger.warn)
    return writeImageFiles(project, resolved, path.resolve(project.root, outDir), urlPrefix, logger.warn)
  })
}
