#!/usr/bin/env node
import { cac } from 'cac'
import { version } from '../package.json'
import { pick, reroll, review } from './cli/choose-commands'
import { generate, prune, status } from './cli/commands'
import { pull } from './cli/remote-commands'
import { isUserError, redact, SeedreamError } from './model/errors'
import { didYouMean } from './model/nearest'

const cli = cac('seedream')
const common = (command: ReturnType<typeof cli.command>) => command
  .option('--root <dir>', 'Project root (where the seedream config is)', { default: process.cwd() })
  .option('--frozen', 'Never call the API; a missing image is an error')
  .option('--json', 'Machine-readable output on stdout')
  .option('--bundler-config <file>', 'Bundler config whose plugin options to read (default: vite/next/astro/webpack/rspack/rollup.config.* at the root)')

common(cli.command('generate', 'Generate every missing image into the cache (.seedream/)'))
  .option('--concurrency <n>', 'Generation requests in flight')
  .option('--repair', 'Generate corrupt entries again (paid) and replace their folders')
  .option('--push', 'Then upload to the remote cache every picture and variant set it lacks')
  .action(flags => run(generate(flags)))
common(cli.command('status', 'List each spec as cached, missing or stale, with the cost of filling the cache'))
  .option('--check', 'Exit with 1 when an image is missing or an entry is corrupt')
  .option('--verify', 'Also check every stored file against its hash and decode it')
  .action(flags => run(status(flags)))
common(cli.command('prune', 'List cache entries no spec uses; delete them with --yes'))
  .option('--yes', 'Delete them')
  .option('--drop-unpicked', 'Also the candidates not picked, of specs whose pick was made (`seedream pick`, the review page)')
  .option('--remote', 'Prune the remote cache\'s bucket instead: objects no spec uses, older than a day')
  .action(flags => run(prune(flags)))
common(cli.command('pick <name> <n>', 'Export candidate n of a spec from now on (free; recorded in .seedream/picks/)'))
  .action((name, n, flags) => run(pick(name, n, flags)))
common(cli.command('reroll <name>', 'Generate one more candidate of a spec (paid: the price is asked for confirmation)'))
  .option('--yes', 'Confirm the price without asking')
  .action((name, flags) => run(reroll(name, flags)))
common(cli.command('review', 'Compare every spec\'s candidates on a local page, pick and reroll there'))
  .option('--port <n>', 'Port on 127.0.0.1', { default: 5190 })
  .action(flags => run(review(flags)))
common(cli.command('pull', 'Download every spec\'s picture and variants from the remote cache into the local caches'))
  .action(flags => run(pull(flags)))

cli.help()
cli.version(version)

function run(work: Promise<number>): void {
  work.then((code) => { process.exitCode = code }, fail)
}

/** One line: a user's error is its message, an internal one keeps its stack. */
function fail(error: any): void {
  process.stderr.write(redact(`seedream: ${isUserError(error) ? error.message : error.stack}\n`))
  process.exitCode = 1
}

const COMMANDS = cli.commands.map(c => c.name).filter(Boolean)

try {
  cli.parse()
}
catch (error: any) {
  // cac's own errors (an unknown option, a missing value) are the user's: one line, and the option meant.
  if (error?.name !== 'CACError')
    throw error
  const option = /`(-{1,2}[^`]+)`/.exec(error.message)?.[1]
  const known = (cli.matchedCommand?.options ?? []).concat(cli.globalCommand.options).flatMap(o => o.names.map(n => `--${n}`))
  fail(new SeedreamError(`${error.message}.${option ? didYouMean(option, known) : ''} Run \`seedream ${cli.matchedCommand?.name ?? ''} --help\` for the options.`.replace(/ {2}/g, ' ')))
}
if (!cli.matchedCommand && !cli.options.help && !cli.options.version) {
  const [name] = cli.args
  if (name)
    fail(new SeedreamError(`unknown command "${name}".${didYouMean(name, COMMANDS)} Commands: ${COMMANDS.join(', ')}.`))
  else
    cli.outputHelp()
  process.exitCode = 1
}
