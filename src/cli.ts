#!/usr/bin/env node
import { cac } from 'cac'
import { version } from '../package.json'
import { generate, prune, status } from './cli/commands'
import { redact } from './model/errors'

const cli = cac('seedream')
const common = (command: ReturnType<typeof cli.command>) => command
  .option('--root <dir>', 'Project root (where the seedream config is)', { default: process.cwd() })
  .option('--frozen', 'Never call the API; a missing image is an error')
  .option('--json', 'Machine-readable output on stdout')

common(cli.command('generate', 'Generate every missing image into the cache (.seedream/)'))
  .option('--concurrency <n>', 'Generation requests in flight')
  .option('--repair', 'Generate corrupt entries again (paid) and replace their folders')
  .action(flags => run(generate(flags)))
common(cli.command('status', 'List each spec as cached, missing or stale, with the cost of filling the cache'))
  .option('--check', 'Exit with 1 when an image is missing or an entry is corrupt')
  .option('--verify', 'Also check every stored file against its hash and decode it')
  .action(flags => run(status(flags)))
common(cli.command('prune', 'List cache entries no spec uses; delete them with --yes'))
  .option('--yes', 'Delete them')
  .action(flags => run(prune(flags)))

cli.help()
cli.version(version)

function run(work: Promise<number>): void {
  work.then((code) => { process.exitCode = code }, (error) => {
    process.stderr.write(redact(`seedream: ${error.message}\n`))
    process.exitCode = 1
  })
}

cli.parse()
if (!cli.matchedCommand && !cli.options.help && !cli.options.version) {
  cli.outputHelp()
  process.exitCode = 1
}
