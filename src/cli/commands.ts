import type { SpecStatus } from '../core/inventory'
import type { CliFlags } from './project'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { FILL_COMMAND } from '../core/guard'
import { log, openProject } from './project'

export interface OutputFlags extends CliFlags { json?: boolean }

const money = (n: number) => `$${n.toFixed(2)}`
const where = (s: { name: string, file?: string }) => `${s.name}${s.file ? ` (${s.file})` : ''}`
const print = (flags: OutputFlags, data: unknown, text: string) =>
  process.stdout.write(flags.json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`)
const row = (s: SpecStatus) => ({ name: s.name, file: s.file, key: s.key, state: s.state, images: s.images, cost: s.cost })

/** `seedream status`: each spec cached, missing, stale or offline, and what filling would cost. */
export async function status(flags: OutputFlags & { check?: boolean }): Promise<number> {
  const project = await openProject(flags)
  const inv = await project.inventory()
  const lines = inv.specs.map(s => `  ${s.state.padEnd(8)} ${where(s)}${s.cost ? `  ~${money(s.cost)}` : ''}`)
  const summary = `${inv.specs.length} spec(s); to fill: ${inv.missingImages} image(s), about ${money(inv.missingCost)}; ${inv.unused.length} unused entr${inv.unused.length === 1 ? 'y' : 'ies'}`
  print(flags, { specs: inv.specs.map(row), missingImages: inv.missingImages, missingCost: inv.missingCost, unused: inv.unused.map(e => path.relative(project.root, e.dir)) },
    `${lines.join('\n')}\n${summary}${inv.missingImages ? `\nFill with: ${FILL_COMMAND}` : ''}`)
  return flags.check && inv.missingImages > 0 ? 1 : 0
}

/** `seedream generate`: fills the cache for every spec, with the same queue, locks and retries as a build. */
export async function generate(flags: OutputFlags): Promise<number> {
  const project = await openProject(flags)
  const inv = await project.inventory()
  const todo = inv.specs.filter(s => s.state === 'missing' || s.state === 'stale')
  if (todo.length)
    log.info(`${todo.length} spec(s) to generate: ${inv.missingImages} image(s), about ${money(inv.missingCost)}`)
  const missing = todo.map(s => s.spec)
  if (todo.length && project.guard.frozen)
    project.guard.assertCanGenerate(missing[0]!, missing)
  const results = await Promise.allSettled(todo.map(s => project.originals.get(s.spec)))
  const failed = results.flatMap((r, i) => r.status === 'rejected' ? [{ ...row(todo[i]!), error: String(r.reason?.message ?? r.reason) }] : [])
  const generated = todo.filter((_, i) => results[i]!.status === 'fulfilled').map(row)
  const cached = inv.specs.filter(s => s.state === 'cached').map(row)
  print(flags, { generated, cached, failed }, [
    `${generated.length} generated, ${cached.length} already cached, ${failed.length} failed`,
    ...failed.map(f => `  failed ${where(f)}: ${f.error}`),
    generated.length ? 'Commit .seedream/ so that every build reuses these pictures.' : '',
  ].filter(Boolean).join('\n'))
  return failed.length ? 1 : 0
}

/** `seedream prune`: entries no spec uses and leftovers of killed writes; deleted only with --yes. */
export async function prune(flags: OutputFlags & { yes?: boolean }): Promise<number> {
  const project = await openProject(flags)
  const inv = await project.inventory()
  const doomed = [...inv.unused.map(e => e.dir), ...inv.leftovers]
  if (flags.yes)
    await Promise.all(doomed.map(dir => rm(dir, { recursive: true, force: true })))
  const rel = doomed.map(d => path.relative(project.root, d))
  const describe = inv.unused.map(e => `  ${path.relative(project.root, e.dir)}  ${e.meta.name}${e.meta.source ? ` (${e.meta.source})` : ''}, ${e.meta.created}`)
    .concat(inv.leftovers.map(d => `  ${path.relative(project.root, d)}  (left by an interrupted write)`))
  print(flags, { removed: flags.yes ? rel : [], unused: rel }, doomed.length
    ? `${describe.join('\n')}\n${flags.yes ? `Removed ${doomed.length} folder(s).` : `${doomed.length} folder(s) unused; run with --yes to delete them.`}`
    : 'Nothing to prune.')
  return 0
}
