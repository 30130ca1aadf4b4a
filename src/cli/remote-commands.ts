import type { Inventory, Project, SpecStatus } from '../project'
import type { OutputFlags } from './project'
import pLimit from 'p-limit'
import { SeedreamError } from '../model/errors'
import { fillTotals, pruneRemote, pullAll, pushAll, remoteSummary } from '../project'
import { log, openCliProject } from './project'

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`

/** The project's remote cache, or a named error for a command that needs one. */
function remoteOf(project: Project, command: string) {
  if (!project.remote)
    throw new SeedreamError(`${command} needs a remote cache: set \`remote: 's3://bucket/prefix'\` in the seedream options (or SEEDREAM_REMOTE) and AWS credentials. See "Sharing the cache" in the README.`)
  return project.remote
}

/**
 * Where each spec's picture is, for `status`: local, remote, both, or neither. A picture missing
 * here but in the bucket is not to be filled (a build pulls it for free), so it leaves the totals.
 */
export async function withRemote(project: Project, inv: Inventory): Promise<Inventory & { where: string[] }> {
  const remote = project.remote
  if (!remote)
    return { ...inv, where: inv.specs.map(() => '') }
  const limit = pLimit(16)
  const has = await Promise.all(inv.specs.map(s => s.state === 'offline' ? undefined : limit(() => remote.has(s.key))))
  const where = inv.specs.map((s, i) => [s.state === 'cached' && 'local', has[i] && 'remote', has[i] === undefined && s.state !== 'offline' && 'remote unknown'].filter(Boolean).join(', '))
  const specs = inv.specs.map((s, i): SpecStatus => has[i] && s.state !== 'cached' && s.state !== 'corrupt' ? { ...s, state: 'remote', cost: 0 } : s)
  return { ...inv, specs, where, ...fillTotals(specs) }
}

/** `seedream generate --push`: what the store and the variants cache have and the bucket lacks. */
export async function pushAfterGenerate(project: Project, specs: Parameters<typeof pushAll>[2]): Promise<string> {
  const remote = remoteOf(project, '--push')
  const pushed = await pushAll(project, remote, specs)
  return `Pushed ${pushed.originals} picture(s) and ${pushed.variantSets} variant set(s) to ${remote.label}. ${remoteSummary(remote.label, remote.stats)}`
}

/** `seedream pull`: the bucket's pictures and variant sets of every spec, into the store and the variants cache. */
export async function pull(flags: OutputFlags): Promise<number> {
  const { project, specs } = await openCliProject(flags)
  const remote = remoteOf(project, 'pull')
  const pulled = await pullAll(project, remote, specs)
  const unreachable = !remote.readable
  const text = `Pulled ${pulled.originals} picture(s) and ${pulled.variantSets} variant set(s) from ${remote.label}`
    + `${pulled.absent.length ? `; in neither the store nor the bucket: ${pulled.absent.join(', ')}` : ''}.`
  process.stdout.write(flags.json ? `${JSON.stringify({ ...pulled, remote: remote.label, ignored: remote.stats.ignored })}\n` : `${text}\n`)
  return unreachable || remote.stats.ignored ? 1 : 0
}

/** `seedream prune --remote`: the bucket's objects no current spec uses, older than a day; deleted with --yes. */
export async function pruneRemoteCommand(flags: OutputFlags & { yes?: boolean }): Promise<number> {
  const { project, specs } = await openCliProject(flags, true)
  const remote = remoteOf(project, 'prune --remote')
  const result = await pruneRemote(remote, specs.filter(s => project.providerFor(s).persistent), Boolean(flags.yes))
  const lines = result.doomed.map(o => `  ${o.key}  ${o.size} bytes, ${o.modified.toISOString()}`)
  const verdict = !result.doomed.length
    ? `Nothing to prune in ${remote.label} (${result.kept} object(s) in use or written in the last day).`
    : `${flags.yes ? 'Removed' : 'Unused:'} ${result.doomed.length} object(s), ${mib(result.bytes)}, from ${remote.label}; ${result.kept} kept.${flags.yes ? '' : ' Run with --yes to delete them.'}`
  process.stdout.write(flags.json ? `${JSON.stringify({ removed: flags.yes ? result.doomed.map(o => o.key) : [], unused: result.doomed.map(o => o.key), bytes: result.bytes })}\n` : `${[...lines, verdict].join('\n')}\n`)
  if (!remote.readable)
    log.warn('The bucket could not be listed; nothing was deleted.')
  return remote.readable ? 0 : 1
}
