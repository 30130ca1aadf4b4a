import type { ResolvedSpec } from '../model/spec'
import type { PluginOptionsFound } from './bundler-config'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { SPEC_FILE } from '../model/ids'
import { findImports, openProject, stderrLogger, writeSpecTypes } from '../project'
import { readPluginOptions } from './bundler-config'
import { SeedreamError } from '../model/errors'

export interface CliFlags {
  root?: string
  /** The bundler config to read plugin options from (default: the first vite/next/astro/webpack/rspack/rollup config at the root). */
  bundlerConfig?: string
  frozen?: boolean
  concurrency?: number
  repair?: boolean
}

export interface OutputFlags extends CliFlags { json?: boolean }

/** Log lines go to stderr, so that `--json` output on stdout stays parseable. */
export const log = stderrLogger

/**
 * The plugin options of the bundler config. One that cannot be read is a warning (its specs are
 * then unseen), except for `strict` commands (prune), which must not act on what they cannot see.
 */
async function pluginOptionsOf(root: string, flags: CliFlags, strict: boolean): Promise<PluginOptionsFound> {
  try {
    const found = await readPluginOptions(root, flags.bundlerConfig)
    const names = Object.keys(found.options.images ?? {})
    if (names.length)
      log.info(`${found.file} passes ${names.length} spec(s) to the plugin: ${names.join(', ')}`)
    return found
  }
  catch (error: any) {
    if (strict)
      throw new SeedreamError(`${error.message}. prune deletes nothing it cannot account for: fix the config, or pass --bundler-config to the file that has the plugin.`)
    log.warn(`${error.message}; specs passed as plugin options there are not seen.`)
    return { options: {} }
  }
}

/**
 * The project as a build sees it, plus every `?seedream` import in its sources: a named import
 * with no spec, or a spec file outside the glob, is found here too.
 */
export async function openCliProject(flags: CliFlags, strict = false) {
  const root = path.resolve(flags.root ?? process.cwd())
  if (!existsSync(root))
    throw new SeedreamError(`The root ${root} does not exist (--root).`)
  const { root: _, ...options } = (await pluginOptionsOf(root, flags, strict)).options
  if (flags.frozen !== undefined)
    options.frozen = flags.frozen
  if (flags.concurrency !== undefined)
    options.concurrency = flags.concurrency
  const project = await openProject(root, options, { mode: 'cli', logger: log, repair: flags.repair })
  // The named specs' types, as a build writes them: CI's `seedream status --check` then `tsc` works before any build.
  await writeSpecTypes(project).catch((error: Error) => log.warn(`could not write ${project.options.dts}: ${error.message}`))
  const { specs } = project
  const all = await specs.all()
  const seen = new Set(all.map(s => `${s.file}|${s.name}`))
  for (const { request, source } of await findImports(root)) {
    const rel = path.relative(root, source)
    let spec: ResolvedSpec
    try {
      spec = SPEC_FILE.test(request)
        ? await specs.fromFile(path.resolve(request.startsWith('.') ? path.dirname(source) : root, request))
        : await specs.fromConfig(request)
    }
    catch (error: any) {
      throw new SeedreamError(`${rel} imports '${request}?seedream': ${error.message}`, { file: rel, spec: request })
    }
    if (!seen.has(`${spec.file}|${spec.name}`)) {
      seen.add(`${spec.file}|${spec.name}`)
      all.push(spec)
    }
  }
  if (!project.options.configPath && !all.length)
    throw new SeedreamError(`No seedream config and no spec files in ${root}: nothing to do. Declare images in seedream.config.ts (or .mjs, .json), or in *.seedream.json files, or pass --root the project's folder.`)
  return { project, specs: all, inventory: () => project.inventory(all) }
}
