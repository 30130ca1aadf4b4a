// The README's performance table, written from bench/results.json: the figures are never typed.
// `npm run bench` runs it after measuring; `node bench/readme-table.mjs` rewrites the table alone.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
export const START = '<!-- bench-table: written by bench/readme-table.mjs from bench/results.json -->'
export const END = '<!-- /bench-table -->'

const cell = s => String(s).replace(/\|/g, '\\|')
const value = r => r.unit === '×' ? `${r.value}×` : `${r.value} ${r.unit}`

/** The machine line and the table of one bench run. */
export function renderTable({ date, machine: m, runs, results }) {
  return [
    `Measured on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), Node ${m.node.replace(/^v/, '')}, sharp ${m.sharp} (libvips ${m.libvips}), Vite ${m.vite}, vite-imagetools ${m.viteImagetools}, @11ty/eleventy-img ${m.eleventyImg}; ${runs} runs (more for the short builds); medians. Last run ${date.slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    '| goal | measure | value | target | result | measured |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map(r => `| ${r.id} | ${cell(r.name)}${r.note ? ` (${cell(r.note)})` : ''} | ${value(r)} | ${cell(r.target)} | ${r.result} | ${(r.measured ?? date).slice(0, 16).replace('T', ' ')} |`),
  ].join('\n')
}

/** The README with its table replaced by the one `results` gives. */
export function withTable(readme, results) {
  const from = readme.indexOf(START)
  const to = readme.indexOf(END)
  if (from < 0 || to < from)
    throw new Error(`README.md has no ${START} … ${END} section`)
  return `${readme.slice(0, from + START.length)}\n${renderTable(results)}\n${readme.slice(to)}`
}

/** Rewrites the README's table from `run` (by default, bench/results.json). */
export async function writeReadmeTable(run) {
  run ??= JSON.parse(await readFile(path.join(ROOT, 'bench/results.json'), 'utf8'))
  const file = path.join(ROOT, 'README.md')
  await writeFile(file, withTable(await readFile(file, 'utf8'), run))
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  await writeReadmeTable()
