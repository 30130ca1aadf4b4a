import type { Options } from '../model/options'
import type { TurbopackLoaderOptions } from './turbopack-loader'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULTS } from '../model/defaults'
import { loadConfigSync, specTypesOf } from '../project'
import { ASSET_QUERY, NAMED_STUB, WRITTEN } from './turbopack-loader'

/** The part of next.config the Turbopack wiring reads and extends. */
export interface NextTurbopackLike {
  distDir?: string
  turbopack?: { rules?: Record<string, unknown>, resolveAlias?: Record<string, unknown>, [key: string]: unknown }
}

const LOADER = fileURLToPath(new URL('../loaders/turbopack.cjs', import.meta.url))
const STUBS = 'node_modules/.cache/unplugin-seedream/next'

/**
 * Named specs (`hero?seedream`) are not files, and Turbopack resolves before any loader runs: each
 * name is aliased to a stub file holding it, written now. The names are read from the config at
 * once (a config edit that adds a name needs a restart of `next dev`); a config that does not load
 * gets no aliases, and its error comes from the loader, with the file and field.
 */
function namedAliases(root: string, options: Options): Record<string, string> {
  let names = Object.keys(options.images ?? {})
  let configPath: string | undefined
  try {
    if (options.configFile !== false) {
      const loaded = loadConfigSync(root)
      names = [...new Set([...names, ...Object.keys(loaded.config.images ?? {})])]
      configPath = loaded.file
    }
  }
  catch {}
  writeTypes(root, options, specTypesOf(names, configPath))
  mkdirSync(path.join(root, STUBS), { recursive: true })
  return Object.fromEntries(names.map((name) => {
    const file = `${name.replace(/[^\w-]+/g, '-')}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}${NAMED_STUB}`
    writeFileSync(path.join(root, STUBS, file), JSON.stringify({ name }))
    return [`${name}?seedream`, `./${STUBS}/${file}`]
  }))
}

/**
 * The folder the loader leaves variants in. It must exist before Turbopack starts: a build does
 * not watch the disk, and a path it once found missing stays missing, even in its cache on disk,
 * which outlives the folder (CI restores `.next/cache`, not `node_modules/.cache`). So when a file
 * the loader wrote (listed in WRITTEN) is gone, Turbopack's cache is dropped and the loader runs again.
 */
function mediaFolder(root: string, distDir = '.next'): string {
  const media = path.join(root, STUBS, 'media')
  const written = path.join(media, WRITTEN)
  const files = existsSync(written) ? readFileSync(written, 'utf8').split('\n').filter(Boolean) : []
  if (!existsSync(written) || files.some(f => !existsSync(path.join(media, path.basename(f))))) {
    for (const cache of ['cache/turbopack', 'dev/cache/turbopack'])
      rmSync(path.join(root, distDir, cache), { recursive: true, force: true })
    mkdirSync(media, { recursive: true })
    writeFileSync(written, '')
  }
  else {
    writeFileSync(written, [...new Set(files)].map(f => `${f}\n`).join(''))
  }
  return media
}

/**
 * The named specs' declarations, written now: `next build` type-checks with Turbopack's loaders
 * in other processes, before any of them could write it (unchanged text is not rewritten).
 */
function writeTypes(root: string, options: Options, text: string): void {
  if (options.dts === false)
    return
  const file = path.resolve(root, options.dts ?? DEFAULTS.dts)
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text)
    writeFileSync(file, text)
}

/** `turbopack.rules` and `resolveAlias` for `?seedream` imports, added to the user's own. */
export function turbopackConfig(nextConfig: NextTurbopackLike, options: Options): NextTurbopackLike['turbopack'] {
  const root = path.resolve(options.root ?? process.cwd())
  const loaderOptions: TurbopackLoaderOptions = { root, media: mediaFolder(root, nextConfig.distDir), options }
  const rule = { loaders: [{ loader: LOADER, options: loaderOptions }], as: '*.js' }
  const query = { condition: { query: /(?:^\?|&)seedream(?:$|[&=])/ }, ...rule }
  const own = nextConfig.turbopack ?? {}
  return {
    ...own,
    rules: {
      ...own.rules,
      [`*${NAMED_STUB}`]: rule,
      '*.seedream.json': query,
      '*.seedream.yaml': query,
      '*.seedream.yml': query,
      // The variants the loader's modules import: their URL, the file emitted by Turbopack.
      '*.{avif,webp,jpg}': { condition: { query: ASSET_QUERY }, type: 'asset' },
    },
    resolveAlias: { ...own.resolveAlias, ...namedAliases(root, options) },
  }
}
