// Prints vitest's totals as one plain line ("N passed, N failed, N skipped") for CI logs.
import { existsSync, readFileSync } from 'node:fs'

const file = new URL('../test/.output/vitest.json', import.meta.url)
// No report: the build or the type check failed before any test ran.
if (!existsSync(file))
  process.exit(0)
const report = JSON.parse(readFileSync(file, 'utf8'))
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`)
