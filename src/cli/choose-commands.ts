import type { OutputFlags } from './project'
import http from 'node:http'
import { createInterface } from 'node:readline/promises'
import { SeedreamError } from '../model/errors'
import { findSpec, pickCandidate, rerollCandidate, reviewHandler } from '../project'
import { money } from './commands'
import { log, openCliProject } from './project'

/** `seedream pick <name> <n>`: the module of the spec exports candidate n from now on; free. */
export async function pick(name: string, number: string, flags: OutputFlags): Promise<number> {
  const { project, specs } = await openCliProject(flags)
  const spec = findSpec(specs, name)
  await pickCandidate(project, spec, Number(number))
  log.info(`"${spec.name}" exports candidate ${number} from now on (recorded in .seedream/picks/; commit it).`)
  return 0
}

/** Asks on the terminal; without one, only --yes confirms. */
async function confirmed(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes)
    return true
  if (!process.stdin.isTTY)
    throw new SeedreamError(`${question} Nothing was generated: pass --yes to confirm.`)
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  const answer = await rl.question(`${question} [y/N] `).finally(() => rl.close())
  return /^y(?:es)?$/i.test(answer.trim())
}

/** `seedream reroll <name>`: one more candidate of the spec, paid, after the price is confirmed; the pick stays. */
export async function reroll(name: string, flags: OutputFlags & { yes?: boolean }): Promise<number> {
  const { project, specs } = await openCliProject(flags)
  const spec = findSpec(specs, name)
  if (!await confirmed(`Generate one more candidate of "${spec.name}" for about ${money(project.guard.priceOf(spec))}?`, flags.yes))
    return 1
  const number = await rerollCandidate(project, spec)
  log.info(`"${spec.name}" has candidate ${number} now; compare them with \`npx seedream review\`, keep one with \`npx seedream pick ${spec.name} ${number}\`.`)
  return 0
}

/** `seedream review`: the review page on 127.0.0.1 until interrupted. */
export async function review(flags: OutputFlags & { port?: number }): Promise<number> {
  const { project, specs } = await openCliProject(flags)
  const handler = reviewHandler({ project: async () => project, specs: async () => specs, base: '', loopbackOnly: true })
  const server = http.createServer((req, res) => void handler(req, res))
  await new Promise<void>((resolve, reject) => server.once('error', (error: any) => reject(error?.code === 'EADDRINUSE'
    ? new SeedreamError(`Port ${flags.port} of 127.0.0.1 is taken: pass another with --port (0 picks a free one).`)
    : error)).listen(flags.port ?? 5190, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  log.info(`Review page: http://127.0.0.1:${port}/ (Ctrl+C to stop)`)
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => server.close(() => resolve()))
  })
  return 0
}
