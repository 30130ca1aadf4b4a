import type { SpecStatus } from '../project'
import type { OutputFlags } from './project'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { redact } from '../model/errors'
import { FILL_COMMAND, remoteSummary, REPAIR_COMMAND } from '../project'
import { log, openCliProject } from './project'
import { pruneRemoteCommand, pushAfterGenerate, withRemote } from './remote-commands'
import { balanceLine, verifyEntries } from './verify'


const money = (n: number) => `$${n.toFixed(2)}`
const where = (s: { name: string, file?: string }) => `${s.name}${s.file ? ` (${s.file})` : ''}`
const print = (flags: OutputFlags, data: unknown, text: string) =>
  process.stdout.write(redact(flags.json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`))
const row = (s: SpecStatus) => ({ name: s.name, file: s.file, key: s.key, state: s.state, images: s.images, cost: s.cost })

/**
 * `seedream status`: each spec cached, missing, stale, partial, corrupt or offline, what filling
 * would cost, and the balance where the provider tells it for free; `--verify` hashes every file.
 */
export async function status(flags: OutputFlags & { check?: boolean, verify?: boolean }): Promise<number> {
  const { project, specs, inventory } = await openCliProject(flags)
  const local = await inventory()
  const damaged = flags.verify ? await verifyEntries(project, local) : []
  const inv = await withRemote(project, local)
  const rel = (dir: string) => path.relative(project.root, dir)
  const lines = inv.specs.map((s, i) => `  ${s.state.padEnd(8)} ${where(s)}${s.cost ? `  ~${money(s.cost)}` : ''}${inv.where[i] ? `  [${inv.where[i]}]` : ''}`)
  const broken = [...inv.corrupt, ...damaged].map(c => ({ dir: rel(c.dir), reason: c.reason }))
  const balance = await balanceLine(project, specs)
  const offline = inv.specs.filter(s => s.state === 'offline')
  const refusedOffline = offline.length > 0 && !project.options.allowPlaceholders
  const summary = `${inv.specs.length} spec(s), ${offline.length} offline placeholder(s); to fill: ${inv.missingImages} image(s), about ${money(inv.missingCost)}; ${inv.unused.length} unused entr${inv.unused.length === 1 ? 'y' : 'ies'}`
    + `${flags.verify ? `; ${inv.specs.filter(s => s.state === 'cached').length} verified` : ''}`
  print(flags, { specs: inv.specs.map((s, i) => ({ ...row(s), where: inv.where[i] || undefined })), remote: project.remote?.label, missingImages: inv.missingImages, missingCost: inv.missingCost, unused: inv.unused.map(e => rel(e.dir)), corrupt: broken, balance: balance?.data }, [
    ...lines,
    ...broken.map(b => `  corrupt  ${b.dir}: ${b.reason}`),
    summary,
    balance?.text ?? '',
    inv.missingImages ? `Fill with: ${FILL_COMMAND}` : '',
    inv.specs.some(s => s.state === 'remote') ? `Specs marked remote are in ${project.remote!.label}: a build takes them from there for free (or \`seedream pull\`).` : '',
    broken.length ? `Restore corrupt folders from git, or generate them again (paid) with: ${REPAIR_COMMAND}` : '',
    refusedOffline ? `Placeholders ship as marked stand-ins: set a provider and its key for ${offline.map(where).join(', ')}, or \`allowPlaceholders: true\` to ship them on purpose${flags.check ? ' (--check fails until then)' : ''}.` : '',
  ].filter(Boolean).join('\n'))
  return flags.check && (inv.missingImages > 0 || broken.length > 0 || refusedOffline) ? 1 : 0
}

/** `seedream generate`: fills the cache for every spec, with the same queue, locks and retries as a build. */
export async function generate(flags: OutputFlags & { repair?: boolean, push?: boolean }): Promise<number> {
  const { project, specs, inventory } = await openCliProject(flags)
  const inv = await inventory()
  // --repair reads every stored file, so that damage a size check misses is found too.
  if (flags.repair)
    await verifyEntries(project, inv)
  // A corrupt entry is regenerated only when asked: its picture was accepted once.
  const todo = inv.specs.filter(s => ['missing', 'stale', 'partial'].includes(s.state) || (flags.repair && s.state === 'corrupt'))
  if (todo.length)
    log.info(`${todo.length} spec(s) to generate: ${inv.missingImages} image(s), about ${money(inv.missingCost)}`)
  const missing = todo.map(s => s.spec)
  if (todo.length && project.guard.frozen)
    project.guard.assertCanGenerate(missing[0]!, missing)
  const results = await Promise.allSettled(todo.map(s => project.originals.get(s.spec)))
  const failed = results.flatMap((r, i) => r.status === 'rejected' ? [{ ...row(todo[i]!), error: redact(String(r.reason?.message ?? r.reason)) }] : [])
  const generated = todo.filter((_, i) => results[i]!.status === 'fulfilled').map(row)
  const cached = inv.specs.filter(s => s.state === 'cached').map(row)
  const corrupt = flags.repair ? [] : inv.specs.filter(s => s.state === 'corrupt').map(row)
  const offline = inv.specs.filter(s => s.state === 'offline').map(row)
  // What was generated is uploaded as it is stored; --push sends what the bucket still lacks.
  const pushed = flags.push ? await pushAfterGenerate(project, specs) : await project.remote?.flush().then(r => remoteSummary(project.remote!.label, r))
  print(flags, { generated, cached, failed, corrupt, offline, remote: project.remote?.stats }, [
    `${generated.length} generated, ${cached.length} already cached, ${offline.length ? `${offline.length} offline placeholder(s), ` : ''}${failed.length} failed${corrupt.length ? `, ${corrupt.length} corrupt (not regenerated: ${REPAIR_COMMAND})` : ''}`,
    offline.length ? `Nothing is generated for ${offline.map(where).join(', ')}: the placeholder provider draws stand-ins at build time and never calls an API. Set a provider (and its key) to generate them.` : '',
    !inv.specs.length ? 'No specs: declare images in seedream.config.* or a *.seedream.json file, and import them with ?seedream.' : '',
    ...failed.map(f => `  failed ${where(f)}: ${f.error}`),
    generated.length ? 'Commit .seedream/ so that every build reuses these pictures.' : '',
    pushed ?? '',
  ].filter(Boolean).join('\n'))
  return failed.length || corrupt.length || (flags.push && !project.remote?.writable) ? 1 : 0
}

/** `seedream prune`: entries no spec uses and leftovers of killed writes; deleted only with --yes. */
export async function prune(flags: OutputFlags & { yes?: boolean, remote?: boolean }): Promise<number> {
  if (flags.remote)
    return pruneRemoteCommand(flags)
  const { project, specs, inventory } = await openCliProject(flags, true)
  const inv = await inventory()
  const doomed = [...inv.unused.map(e => e.dir), ...inv.leftovers, ...inv.strandedJournals]
  if (flags.yes)
    await Promise.all(doomed.map(dir => rm(dir, { recursive: true, force: true })))
  const rel = doomed.map(d => path.relative(project.root, d))
  const describe = inv.unused.map(e => `  ${path.relative(project.root, e.dir)}  ${e.meta.name}${e.meta.source ? ` (${e.meta.source})` : ''}, ${e.meta.created}`)
    .concat(inv.leftovers.map(d => `  ${path.relative(project.root, d)}  (left by an interrupted write)`))
    .concat(inv.strandedJournals.map(d => `  ${path.relative(project.root, d)}  (paid pictures or jobs of a spec that no longer exists)`))
  print(flags, { removed: flags.yes ? rel : [], unused: rel }, doomed.length
    ? `${describe.join('\n')}\n${flags.yes ? `Removed ${doomed.length} folder(s).` : `${doomed.length} folder(s) unused; run with --yes to delete them.`}`
    : 'Nothing to prune.')
  return 0
}
