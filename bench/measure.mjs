// How a goal is measured and recorded: runs taken in turns, medians, and one result per goal,
// with its raw samples, for bench/results.json.
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { BENCH } from './lib.mjs'

export const RUNS = Number(process.env.BENCH_RUNS ?? 3)
export const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
export const log = m => process.stderr.write(`[bench] ${m}\n`)

/** Each goal's result: PASS or MISS against its target, when it was measured, and its raw samples. */
export function createRecorder() {
  const results = []
  return {
    results,
    /** One goal: its value, the target it is held to, whether it meets it, and its samples. */
    record(id, name, value, unit, target, pass, detail, note = '') {
      results.push({ id, name, note, value: Number(value.toFixed(3)), unit, target, result: pass ? 'PASS' : 'MISS', measured: new Date().toISOString(), detail })
      log(`${id} ${name}${note ? ` (${note})` : ''}: ${value.toFixed(3)} ${unit} (target ${target}) ${pass ? 'PASS' : 'MISS'}`)
    },
  }
}

export async function repeat(fn, runs = RUNS) {
  const xs = []
  for (let i = 0; i < runs; i++) xs.push(await fn(i))
  return xs
}

/**
 * Measurements taken in turns (after one unrecorded run of each, unless `warmUp` is false), so
 * that drift on the machine (disk cache, other load) falls on all alike; fast ones get more runs.
 */
export async function alternate(fns, runs = Math.max(RUNS, 7), warmUp = true) {
  for (const fn of warmUp ? fns : []) await fn()
  const samples = fns.map(() => [])
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) samples[k].push(await fn())
  }
  return samples
}

/** What the figures depend on: the machine, Node, sharp and libvips, Vite. */
export async function machine() {
  const version = async name => JSON.parse(await readFile(path.join(BENCH, '../node_modules', name, 'package.json'), 'utf8')).version
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    sharp: sharp.versions.sharp,
    libvips: sharp.versions.vips,
    vite: await version('vite'),
    viteImagetools: await version('vite-imagetools'),
    eleventyImg: await version('@11ty/eleventy-img'),
  }
}
