import type { Options } from '../model/options'
import type { SeedreamImage, SeedreamSpec } from '../model/types'
import type { Project } from '../project/open-project'
import type { Logger } from '../project/ports'
import { mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { canonicalJson } from '../model/key'
import { redact } from '../model/errors'
import { assetFileName } from '../project/code/module'
import { pictureObject } from '../project/code/picture-object'
import { withHtml } from '../project/code/runtime'
import { openProject } from '../project/open-project'
import { picturesOf, scrubbed } from '../project/pictures'
import { writeFileAtomic } from '../project/store/atomic'

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

/** One project per root and options, opened once per process: a shortcode calls image() on every page. */
const projects = new Map<string, Promise<Project>>()

function projectFor(root: string, options: Options, logger: Logger): Promise<Project> {
  const id = `${root}\0${canonicalJson(options)}`
  if (!projects.has(id)) {
    const opening = openProject(root, options, { mode: 'api', logger })
    projects.set(id, opening)
    opening.catch(() => projects.delete(id))
  }
  return projects.get(id)!
}

/** Writes one variant unless a file of that content-hashed name and size is there already. */
async function writeVariant(file: string, data: Buffer): Promise<void> {
  const there = await stat(file).catch(() => undefined)
  if (there?.isFile() && there.size === data.length)
    return
  await mkdir(path.dirname(file), { recursive: true })
  await writeFileAtomic(file, data)
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
    for (const note of resolved.notes)
      logger.warn(`"${resolved.name}": ${note}`)
    const folder = path.resolve(project.root, outDir)
    const sets = await picturesOf(project, resolved)
    const pictures = await Promise.all(sets.map(async (set) => {
      const files = set.variants.map(v => assetFileName('', resolved.name, v))
      await Promise.all(files.map((f, i) => writeVariant(path.join(folder, f), set.data[i]!)))
      return pictureObject(set, resolved, files.map(f => urlPrefix + f))
    }))
    const images = withHtml(pictures, resolved.alt, resolved.markup.sizes, resolved.markup.loading)
    return { ...images[0]!, alt: resolved.alt, prompt: resolved.picture.prompt, images }
  })
}
