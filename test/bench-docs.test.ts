import type { BenchRun } from '../bench/readme-table.mjs'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { withTable } from '../bench/readme-table.mjs'

// Issue 15: the README's performance figures are written from bench/results.json, never typed.
describe('the performance table', () => {
  it('is the one bench/results.json gives, with the machine and the raw samples behind it', async () => {
    const readme = await readFile('README.md', 'utf8')
    const run = JSON.parse(await readFile('bench/results.json', 'utf8')) as BenchRun
    expect(Object.keys(run.machine)).toEqual(expect.arrayContaining(['cores', 'cpu', 'node', 'sharp', 'libvips', 'vite']))
    // Every figure keeps the samples its median was taken from.
    expect(run.results.filter(r => !Object.values(r.detail).some(Array.isArray)).map(r => r.id)).toEqual([])
    expect(withTable(readme, run)).toBe(readme)
  })
})
