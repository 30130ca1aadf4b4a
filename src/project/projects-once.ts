import type { Options } from '../model/options'
import type { ResolvedSpec } from '../model/resolved'
import type { Logger } from './ports'
import { canonicalJson } from '../model/key'
import { createSharedWork, openProject } from './open-project'

/**
 * One project per root and options, opened once per process, for callers without a build to hang
 * it on: image() is called on every page, a Turbopack loader once per module. They share one sharp
 * pool and one map of generations in flight, so sharp never runs more jobs than there are cores
 * and a picture asked for twice at once is generated once (across processes, the store's key lock).
 */
const projects = new Map<string, ReturnType<typeof openProject>>()
const shared = createSharedWork()
/** Notes (a size rounded, a field ignored) said once per spec, not once per page. */
const noted = new Set<string>()

export function projectOnce(root: string, options: Options, logger: Logger, mode: 'api' | 'build' = 'api'): ReturnType<typeof openProject> {
  const id = `${mode}\0${root}\0${canonicalJson(options)}`
  if (!projects.has(id)) {
    const opening = openProject(root, options, { mode, logger, shared })
    projects.set(id, opening)
    opening.catch(() => projects.delete(id))
  }
  return projects.get(id)!
}

/** A spec's notes, each said once per process. */
export function noteOnce(spec: ResolvedSpec, warn: (message: string) => void): void {
  for (const note of spec.notes) {
    const line = `"${spec.name}" (${spec.file ?? 'options'}): ${note}`
    if (!noted.has(line))
      warn(line)
    noted.add(line)
  }
}
