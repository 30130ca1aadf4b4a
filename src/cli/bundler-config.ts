import type { Options } from '../model/options'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { SeedreamError } from '../model/errors'
import { importScript, pluginOptionsSeen } from '../project'

/** Configs a build of this root would read, in the order a project usually has one. */
const CONFIGS = ['vite', 'next', 'astro', 'webpack', 'rspack', 'rollup']
  .flatMap(tool => ['ts', 'mts', 'mjs', 'js', 'cjs', 'cts'].map(ext => `${tool}.config.${ext}`))

export interface PluginOptionsFound {
  /** The bundler config read, relative to the root. */
  file?: string
  /** Every plugin's options in it, merged: named specs together, the last plugin's values first. */
  options: Options
}

/** The bundler config of the root: the one given with --bundler-config, else the first of CONFIGS there. */
export function findBundlerConfig(root: string, given?: string): string | undefined {
  if (given) {
    const file = path.resolve(root, given)
    if (!existsSync(file))
      throw new SeedreamError(`--bundler-config ${given}: no such file in ${root}.`)
    return file
  }
  return CONFIGS.map(name => path.join(root, name)).find(existsSync)
}

/**
 * Specs can be passed as plugin options in the bundler config, where the seedream config file
 * does not have them. The config is loaded as the bundler would (a function is called, as for
 * a production build), and the options of each seedream plugin it creates are collected.
 */
export async function readPluginOptions(root: string, given?: string): Promise<PluginOptionsFound> {
  const file = findBundlerConfig(root, given)
  if (!file)
    return { options: {} }
  const before = pluginOptionsSeen().length
  try {
    const config = await importScript(file)
    if (typeof config === 'function')
      await config({ command: 'build', mode: 'production', isSsrBuild: false }, { mode: 'production' })
  }
  catch (error: any) {
    throw new SeedreamError(`Could not read the plugin options in ${path.relative(root, file)}: ${error.message}`, { file: path.relative(root, file) })
  }
  const found = pluginOptionsSeen().slice(before)
  const images = Object.assign({}, ...found.map(o => o.images))
  return { file: path.relative(root, file), options: found.length ? { ...Object.assign({}, ...found), images } : {} }
}
