import type { Options } from '../model/options'
import { appendFile } from 'node:fs/promises'
import path from 'node:path'
import { redact } from '../model/errors'
import { noteOnce, projectOnce, scrubbed, stderrLogger, writeImageFiles } from '../project'

/** What withSeedream hands the loader (JSON: Turbopack passes loader options between processes). */
export interface TurbopackLoaderOptions {
  root: string
  /** Where the loader leaves verified variants for Turbopack to emit (absolute, made by withSeedream). */
  media: string
  options: Options
}

/** The part of Turbopack's loader context this loader uses. */
interface TurbopackLoaderContext {
  resourcePath: string
  mode: 'development' | 'production'
  getOptions: () => TurbopackLoaderOptions
  addDependency: (file: string) => void
  emitWarning: (warning: Error) => void
}

/** A named spec reaches the loader as a stub file written by withSeedream: `{"name":"hero"}`. */
export const NAMED_STUB = '.seedream-name'
/** The query that makes an import of one of them an asset (its URL), see withSeedream's rules. */
export const ASSET_QUERY = '?seedream-asset'
const URL_MARK = '__seedream_asset__'
/** A file's URL in the JSON of the picture, before it is an import. */
const MARKED = new RegExp(`${URL_MARK}[\\w.-]+`, 'g')
/** The list of files the loader left in `media`, one per line. */
export const WRITTEN = '.written'


/**
 * Turbopack runs webpack loaders but gives them no way to emit a file, and caches their output
 * between builds (a file a loader wrote into `.next` would be gone from the next build, its
 * module not). So the loader leaves each verified variant in `media` and returns a module that
 * imports them as assets: Turbopack emits them to `static/media/` (served as
 * `/_next/static/media/` with immutable caching), under `basePath`/`assetPrefix`, from cache or not.
 */
export default async function seedreamTurbopackLoader(this: TurbopackLoaderContext, source: string): Promise<string> {
  const { root, media, options } = this.getOptions()
  const warn = (m: string) => this.emitWarning(Object.assign(new Error(redact(m)), { stack: '' }))
  const image = await scrubbed(async () => {
    const project = await projectOnce(root, options, stderrLogger, this.mode === 'development' ? 'api' : 'build')
    const named = this.resourcePath.endsWith(NAMED_STUB)
    const spec = named ? await project.specs.fromConfig(JSON.parse(source).name) : await project.specs.fromFile(this.resourcePath)
    const watched = named ? project.options.configPath && path.resolve(root, project.options.configPath) : this.resourcePath
    if (watched)
      this.addDependency(watched)
    noteOnce(spec, warn)
    return writeImageFiles(project, spec, media, URL_MARK, warn)
  })
  const json = JSON.stringify(image)
  const files = [...new Set(json.match(MARKED) ?? [])].map(m => m.slice(URL_MARK.length))
  await appendFile(path.join(media, WRITTEN), files.map(f => `${f}\n`).join(''))
  const relative = path.relative(path.dirname(this.resourcePath), media).split(path.sep).join('/')
  return assetModule(json, files, relative.startsWith('.') ? relative : `./${relative}`)
}

/** The picture's JSON with each file's URL taken from an asset import of it. */
function assetModule(json: string, files: string[], mediaFromModule: string): string {
  const imports = files.map((f, i) => `import u${i} from ${JSON.stringify(`${mediaFromModule}/${f}${ASSET_QUERY}`)};`)
  const code = json.replace(MARKED, marked => `" + u${files.indexOf(marked.slice(URL_MARK.length))} + "`)
  return `${imports.join('\n')}\nexport default ${code};\n`
}
