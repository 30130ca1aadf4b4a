import type { Logger } from './ports'
import { redact } from '../model/errors'

/**
 * Lines on stderr, prefixed `[seedream]`, keys scrubbed: for the drivers with no logger of their
 * own to go through (the CLI, image(), Turbopack's loader workers, esbuild), and stdout left free.
 */
export const stderrLogger: Logger = {
  info: m => process.stderr.write(redact(`[seedream] ${m}\n`)),
  warn: m => process.stderr.write(redact(`[seedream] warning: ${m}\n`)),
}
