// npm run bench: each performance goal measured against its floor and its peers in the same run
// (medians), printed as a table with its target, written to bench/results.json with the machine
// and every raw sample, and copied into the README's performance table.
// `node bench/run.mjs P6 P7` measures some goals again: their rows replace the old ones.
import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { p3, p4, p5 } from './api-memory-scale.mjs'
import { filledApp } from './apps.mjs'
import { BENCH, sources } from './lib.mjs'
import { createRecorder, machine, RUNS } from './measure.mjs'
import { p6 } from './p6-remote.mjs'
import { p7 } from './p7-dev.mjs'
import { renderTable, writeReadmeTable } from './readme-table.mjs'
import { warmAndCold } from './warm-cold.mjs'

const only = process.argv.slice(2)
const { record, results } = createRecorder()
const context = { record, only }

let app
/** The 12-image app, made once per run; every step that uses it leaves it warm. */
async function app12() {
  return app ??= await filledApp('app12', await sources(12, 2048), {})
}

// P2 before P1: the cold runs leave every tool's cache filled for the warm ones. The steps that
// write tens of thousands of files (P4, P5) come last, so their write-back does not fall on the
// short builds; and each step starts after `sync`, with no dirty pages left from the one before.
const steps = {
  P2: async () => warmAndCold(await app12(), { ...context, only: only.length ? only : ['P2', 'P1'] }),
  P6: async () => p6(await app12(), context),
  P7: async () => p7(await app12(), context),
  P3: () => p3(context),
  P4: () => p4(context),
  P5: () => p5(context),
}
steps.P1 = steps.P2
for (const step of new Set(only.length ? only.map(o => steps[o.replace(/[pmdxbw]$/, '')]) : Object.values(steps))) {
  execFileSync('sync')
  await step()
}

// A partial run keeps the other goals' rows of the last run, each with the date it was measured.
const file = path.join(BENCH, 'results.json')
const kept = only.length ? JSON.parse(await readFile(file, 'utf8').catch(() => '{"results":[]}')).results : []
const merged = [...kept.filter(r => !results.some(n => n.id === r.id)), ...results].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }))
const run = { date: new Date().toISOString(), machine: await machine(), runs: RUNS, results: merged }
console.log(`\n${renderTable(run)}\n`)
await writeFile(file, `${JSON.stringify(run, null, 2)}\n`)
await writeReadmeTable(run)
console.log(`${merged.filter(r => r.result === 'PASS').length} passed, ${merged.filter(r => r.result === 'MISS').length} missed`)
