// npm run bench: each performance goal measured against its floor and its peers in the same run
// (medians), printed as a table with its target, written to bench/results.json with the machine
// and every raw sample, and copied into the README's performance table.
// `node bench/run.mjs P2 P6` runs some goals only (and writes only those).
import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { p3, p4, p5 } from './api-memory-scale.mjs'
import { filledApp } from './apps.mjs'
import { BENCH, sources } from './lib.mjs'
import { createRecorder, machine, RUNS } from './measure.mjs'
import { p6 } from './p6-remote.mjs'
import { p7 } from './p7-dev.mjs'
import { renderTable } from './readme-table.mjs'
import { warmAndCold } from './warm-cold.mjs'

const only = process.argv.slice(2)
const { record, results } = createRecorder()
const context = { record, only }

let app
/** The 12-image app, made once per run; every step that uses it leaves it warm. */
async function app12() {
  return app ??= await filledApp('app12', await sources(12, 2048), {})
}

// P2 before P1: the cold runs leave every tool's cache filled for the warm ones.
const steps = {
  P2: async () => warmAndCold(await app12(), { ...context, only: only.length ? only : ['P2', 'P1'] }),
  P3: () => p3(context),
  P4: () => p4(context),
  P5: () => p5(context),
  P6: async () => p6(await app12(), context),
  P7: async () => p7(await app12(), context),
}
steps.P1 = steps.P2
for (const step of new Set(only.length ? only.map(o => steps[o.replace(/[pmdxbw]$/, '')]) : Object.values(steps))) await step()

const run = { date: new Date().toISOString(), machine: await machine(), runs: RUNS, results }
console.log(`\n${renderTable(run)}\n`)
await writeFile(path.join(BENCH, 'results.json'), `${JSON.stringify(run, null, 2)}\n`)
if (!only.length)
  execFileSync(process.execPath, [path.join(BENCH, 'readme-table.mjs')])
console.log(`${results.filter(r => r.result === 'PASS').length} passed, ${results.filter(r => r.result === 'MISS').length} missed, ${results.filter(r => r.result === 'report').length} reported`)
