import type { Options } from '../model/options'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { cosmiconfig, cosmiconfigSync } from 'cosmiconfig'
import { parse as parseYaml } from 'yaml'
import { SeedreamError } from '../model/errors'
import { SPEC_FILE } from '../model/ids'
import { importFresh, importScript, requireConfig } from './config-loaders'

/** Types a `seedream.config.*` file. */
export function defineConfig(config: Options): Options {
  return config
}

const MODULE = 'seedream'
const SEARCH_PLACES = [
  'package.json',
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.${MODULE}rc.js`,
  `.${MODULE}rc.mjs`,
  `.${MODULE}rc.ts`,
  `${MODULE}.config.ts`,
  `${MODULE}.config.mts`,
  `${MODULE}.config.cts`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.js`,
  `${MODULE}.config.json`,
]

const SEARCH = { searchPlaces: SEARCH_PLACES, searchStrategy: 'none', cache: false } as const
const SCRIPTS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']

export interface LoadedConfig {
  config: Options
  /** Relative to the root, for messages. */
  file?: string
}

/**
 * The `seedream` config of the root folder only: a project's config never leaks into another's.
 * Its keys and values are checked by checkOptions (option-rules.ts), with every other problem.
 */
export async function loadConfig(root: string): Promise<LoadedConfig> {
  // One listing of the folder, then only the places there are looked at: cosmiconfig asks for each
  // of its 14 places in turn, and each turn waits behind the bundler's own start.
  const present = new Set(await readdir(root).catch(() => SEARCH_PLACES))
  const explorer = cosmiconfig(MODULE, {
    ...SEARCH,
    searchPlaces: SEARCH_PLACES.filter(place => present.has(place)),
    loaders: { '.js': importFresh, '.mjs': importFresh, '.ts': importScript, '.mts': importScript, '.cts': importScript },
  })
  return checked(root, await explorer.search(root).catch(error => unloadable(root, error)))
}

/** The same config, read synchronously (every script through jiti). */
export function loadConfigSync(root: string): LoadedConfig {
  const loaders = Object.fromEntries(SCRIPTS.map(ext => [ext, requireConfig]))
  let found
  try {
    found = cosmiconfigSync(MODULE, { ...SEARCH, loaders }).search(root)
  }
  catch (error) {
    unloadable(root, error)
  }
  return checked(root, found)
}

function unloadable(root: string, error: any): never {
  throw new SeedreamError(`Could not load the seedream config in ${root}: ${error.message}`, { file: error.filepath })
}

function checked(root: string, found: { filepath: string, config: any, isEmpty?: boolean } | null | undefined): LoadedConfig {
  if (!found || found.isEmpty)
    return { config: {} }
  const file = path.relative(root, found.filepath)
  const config = found.config?.default ?? found.config
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new SeedreamError(`${file} must export an object such as { images: { hero: { prompt: '…' } } }.`, { file })
  return { config, file }
}


/** The raw spec in a `*.seedream.{json,yaml,yml}` file; a parse error names the file. */
export async function readSpecFile(file: string, root: string): Promise<unknown> {
  const rel = path.relative(root, file)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  }
  catch (error: any) {
    throw new SeedreamError(`Cannot read the spec file ${rel}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`, { file: rel })
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  }
  catch (error: any) {
    throw new SeedreamError(`The spec file ${rel} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${error.message}`, { file: rel })
  }
}

/** The spec name of a spec file: `card` for `src/card.seedream.json`. */
export const specFileName = (file: string) => path.basename(file).replace(SPEC_FILE, '')
