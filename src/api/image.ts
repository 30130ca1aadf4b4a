import type { Options } from '../model/options'
import type { SeedreamImage, SeedreamSpec } from '../model/types'
import type { Logger, Project } from '../project'
import path from 'node:path'
import { redact } from '../model/errors'
import { canonicalJson } from '../model/key'
import { createSharedWork, openProject, scrubbed, writeImageFiles } from '../project'

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

const stderr: Logger = {
  info: m => process.stderr.write(redact(`[seedream] ${m}\n`)),
  warn: m => process.stderr.write(redact(`[seedream] warning: ${m}\n`)),
}

/**
 * One project per root and options, opened once per process: a shortcode calls image() on every
 * page. They all share one sharp pool and one map of generations in flight, so sharp never runs
 * more jobs than there are cores and a picture two calls ask for at once is generated once.
 */
const projects = new Map<string, Promise<Project>>()
const shared = createSharedWork()
/** Notes (a size rounded, a field ignored) said once per spec, not once per page. */
const noted = new Set<string>()

function projectFor(root: string, options: Options, logger: Logger): Promise<Project> {
  const id = `${root}\0${canonicalJson(options)}`
  if (!projects.has(id)) {
    const opening = openProject(root, options, { mode: 'api', logger, shared })
    projects.set(id, opening)
    opening.catch(() => projects.delete(id))
  }
  return projects.get(id)!
}

/**
 * The function API: the same `SeedreamImage` a `?seedream` import gets, without a bundler. `spec`
 * is a named spec of the project's config (or its options) or a spec object; the variants are
 * written to `outDir` and their URLs start with `urlPrefix`.
 */
export function image(spec: string | SeedreamSpec, imageOptions: ImageOptions = {}): Promise<SeedreamImage> {
  const { outDir = 'img', urlPrefix = '/img/', name = 'image', logger = stderr, ...options } = imageOptions
  return scrubbed(async () => {
    const project = await projectFor(path.resolve(options.root ?? process.cwd()), options, logger)
    const resolved = typeof spec === 'string' ? await project.specs.fromConfig(spec) : await project.specs.fromObject(spec, name)
    for (const note of resolved.notes) {
      const line = `"${resolved.name}": ${note}`
      if (!noted.has(line))
        logger.warn(line)
      noted.add(line)
    }
    return writeImageFiles(project, resolved, path.resolve(project.root, outDir), urlPrefix, logger.warn)
  })
}
