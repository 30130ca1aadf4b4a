import type { Project } from './open-project'
import type { Logger, RunStats } from './ports'
import { placeholderWarning } from './generation/placeholders'
import { pruneVariantsCache } from './store/retention'
import type { RemoteStats } from './remote/open-remote'

/** What a run read from and wrote to the remote cache. */
export function remoteSummary(label: string, r: RemoteStats): string {
  const mib = (r.uploadedBytes / 1024 / 1024).toFixed(1)
  return `remote cache ${label}: ${r.originals} picture(s) found (${r.downloaded} downloaded), ${r.variantSets} variant set(s) read, ${r.uploaded} object(s) (${mib} MiB) uploaded`
    + `${r.ignored ? `, ${r.ignored} object(s) ignored` : ''}`
}

/** The end-of-build line: what was paid for, reused and emitted. */
export function buildSummary(s: RunStats | undefined): string {
  if (!s)
    return 'no image'
  const kib = (s.bytesEmitted / 1024).toFixed(0)
  const credits = s.remainingCredits === undefined ? '' : `, ${s.remainingCredits} credits left`
  return `${s.generated} generated (~$${s.spend.toFixed(2)}${credits}), ${s.reused} reused, ${s.placeholders.size} placeholder(s); `
    + `${s.variantsMade} variants made, ${s.variantsReused} reused; ${kib} KiB emitted`
}

/**
 * At the end of a build (Rollup and Vite say when it failed, and then this is not called; webpack,
 * Rspack and esbuild do not say): the summary, then the variants cache's retention rule (folders
 * this build did not use and no build used for 30 days are deleted). A cache that cannot be
 * pruned costs a warning, never the build.
 */
export async function finishBuild(project: Project | undefined, log: Logger | undefined, production = true): Promise<void> {
  // Uploads ran beside the build; it ends when they have (the local copies of pulled sets, by `settleCopies`).
  const remote = await project?.remote?.uploaded()
  log?.info(buildSummary(project?.stats))
  if (!project)
    return
  if (remote)
    log?.info(remoteSummary(project.remote!.label, remote))
  const placeholders = production && placeholderWarning(project.stats.placeholders, project.options)
  if (placeholders)
    log?.warn(placeholders)
  const pruned = await pruneVariantsCache(project.options.variantsCacheDir, { used: project.variantsUsed })
    .catch((error: Error) => void log?.warn(`could not prune the variants cache: ${error.message}`))
  if (pruned?.count)
    log?.info(`pruned ${pruned.count} variant folder(s) unused for 30 days (${(pruned.bytes / 1024 / 1024).toFixed(1)} MiB)`)
}

/**
 * After the bundler has written its output: the local copies of what the build pulled from the
 * remote cache, written beside it, are awaited, and the first that failed fails the build. (Where
 * no output is written, they finish before the process exits, unreported.)
 */
export async function settleCopies(project: Project | undefined): Promise<void> {
  await project?.remote?.flush()
}
