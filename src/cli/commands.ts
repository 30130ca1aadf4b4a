import type { Inventory, SpecStatus } from '../project'
import type { OutputFlags } from './project'
import { lstat, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { redact } from '../model/errors'
import { FILL_COMMAND, neededCandidates, remoteSummary, REPAIR_COMMAND } from '../project'
import { log, openCliProject } from './project'
import { pruneRemoteCommand, pushAfterGenerate, withRemote } from './remote-commands'
import { balanceLine, verifyEntries } from './verify'


export const money = (n: number) => `$${n.toFixed(2)}`
const where = (s: { name: string, file?: string }) => `${s.name}${s.file ? ` (${s.file})` : ''}`
const print = (flags: OutputFlags, data: unknown, text: string) =>
  process.stdout.write(redact(flags.json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`))
const row = (s: SpecStatus) => ({ name: s.name, file: s.file, key: s.key, state: s.state, images: s.images, cost: s.cost, candidates: s.candidates, pick: s.pick })
/** Where a spec has candidates: how many, and which one ships. */
const choice = (s: SpecStatus) => s.candidates.length > 1 || s.pick > 1 ? `  candidate ${s.pick} of ${s.candidates.length}${s.picked ? ' (picked)' : ''}` : ''

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
  const lines = inv.specs.map((s, i) => `  ${s.state.padEnd(8)} ${where(s)}${choice(s)}${s.cost ? `  ~${money(s.cost)}` : ''}${inv.where[i] ? `  [${inv.where[i]}]` : ''}`)
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
  const results = await Promise.allSettled(todo.map(s => Promise.all(neededCandidates(project.store, s.spec).map(c => project.originals.get(c)))))
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

/** What `seedream prune` would delete, each with why. */
function doomedBy(inv: Inventory, root: string, dropUnpicked: boolean): Array<{ dir: string, why: string }> {
  const rel = (d: string) => path.relative(root, d)
  return [
    ...inv.unused.map(e => ({ dir: e.dir, why: `${e.meta.name}${e.meta.source ? ` (${e.meta.source})` : ''}, ${e.meta.created}` })),
    ...inv.leftovers.map(dir => ({ dir, why: '(left by an interrupted write)' })),
    ...inv.strandedJournals.map(dir => ({ dir, why: '(paid pictures or jobs of a spec that no longer exists)' })),
    // Candidates are kept (a pick may change) unless asked, and then only beside a pick made on purpose.
    ...dropUnpicked ? inv.specs.filter(s => s.picked).flatMap(s => s.unpicked.map(dir => ({ dir, why: `candidate of ${where(s)} not picked (candidate ${s.pick} is)` }))) : [],
  ].map(d => ({ ...d, why: `  ${rel(d.dir)}  ${d.why}` }))
}

/** `seedream prune`: entries no spec uses, leftovers of killed writes, with --drop-unpicked the candidates not picked; deleted only with --yes. */
export async function prune(flags: OutputFlags & { yes?: boolean, remote?: boolean, dropUnpicked?: boolean }): Promise<number> {
  if (flags.remote)
    return pruneRemoteCommand(flags)
  const { project, inventory } = await openCliProject(flags, true)
  const doomed = doomedBy(await inventory(), project.root, Boolean(flags.dropUnpicked))
  const bytes = (await Promise.all(doomed.map(d => folderBytes(d.dir)))).reduce((a, b) => a + b, 0)
  if (flags.yes)
    await Promise.all(doomed.map(d => rm(d.dir, { recursive: true, force: true })))
  const rel = doomed.map(d => path.relative(project.root, d.dir))
  const size = `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  print(flags, { removed: flags.yes ? rel : [], unused: rel, bytes }, doomed.length
    ? `${doomed.map(d => d.why).join('\n')}\n${flags.yes ? `Removed ${doomed.length} folder(s), ${size} freed.` : `${doomed.length} folder(s) unused (${size}); run with --yes to delete them.`}`
    : 'Nothing to prune.')
  return 0
}

/** The bytes of the files under a folder (links not followed). */
async function folderBytes(dir: string): Promise<number> {
  const items = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  const sizes = await Promise.all(items.filter(i => i.isFile()).map(i => lstat(path.join(i.parentPath ?? (i as any).path, i.name)).then(s => s.size, () => 0)))
  return sizes.reduce((a, b) => a + b, 0)
}
