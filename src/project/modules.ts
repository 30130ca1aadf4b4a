import type { ResolvedSpec } from '../model/resolved'
import type { Project } from './open-project'
import type { DevHost, Host } from './ports'
import path from 'node:path'
import { parseSpecId } from '../model/ids'
import { neededCandidates } from './candidates'
import { devModuleCode } from './code/dev-module'
import { emitPicture, moduleCode, preloadAttrs } from './code/module'
import { picturesOf, scrubbed } from './pictures'

/** The spec behind a resolved id; its file is watched, so an edit rebuilds or hot-updates it. */
async function specOf(project: Project, id: string, host: Pick<Host, 'warn' | 'watch'>): Promise<ResolvedSpec> {
  const target = parseSpecId(id)
  const { options } = project
  const file = 'file' in target ? target.file : undefined
  const spec = file ? await project.specs.fromFile(file) : await project.specs.fromConfig((target as { name: string }).name)
  const watched = file ?? (options.configPath && path.resolve(options.root, options.configPath))
  if (watched)
    host.watch(watched)
  for (const note of spec.notes)
    host.warn(`"${spec.name}" (${spec.file ?? 'options'}): ${note}`)
  return spec
}

/** A build's module for one resolved id: every variant emitted through the host, its URLs in the code. */
export function loadModule(project: Project, id: string, host: Host): Promise<string> {
  return scrubbed(async () => {
    const spec = await specOf(project, id, host)
    const sets = await picturesOf(project, spec)
    if (spec.markup.priority && host.preload)
      host.preload.add(id, preloadAttrs(sets[0]!, spec, host.assetNames, host.preload.url))
    return moduleCode(spec, await Promise.all(sets.map(set => emitPicture(set, spec, host.assetNames, host.emit))))
  })
}

/**
 * Dev server: a picture that costs nothing now is served at once; a missing one is generated in
 * the background while the module shows a placeholder of the same size, then `pending` settles.
 */
export function loadDevModule(project: Project, id: string, dev: DevHost): Promise<string> {
  return scrubbed(async () => {
    const [spec, ...others] = neededCandidates(project.store, await specOf(project, id, dev))
    let set = await project.originals.cached(spec)
    // Candidates still to generate are asked in the background, the shown one first; the module
    // is reloaded when they land (and only then: a module whose candidates are all here pends nothing).
    if (!set || (await Promise.all(others.map(c => project.originals.cached(c)))).some(found => !found))
      dev.pending(scrubbed(() => Promise.all([spec, ...others].map(c => project.originals.get(c)))))
    if (!set) {
      // The same spec drawn offline: same size and ratio, never stored.
      set = await project.originals.get({ ...spec, provider: 'placeholder' })
    }
    return devModuleCode(spec, await Promise.all(set.images.map(o => dev.picture(o, spec.output))))
  })
}
