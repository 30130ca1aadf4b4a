// Helpers shared by the benchmarks: sources, child processes, the repository's loopback servers.
import { spawn } from 'node:child_process'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import sharp from 'sharp'
import { photoLike } from './sources.mjs'

export const BENCH = path.dirname(fileURLToPath(import.meta.url))
export const WORK = path.join(BENCH, '.work')
export const KEY = 'bench-key-0123456789abcdef'

const exists = f => stat(f).then(() => true, () => false)

/** A TypeScript module of the repository (a test server, the package's defaults), bundled once into .work and imported. */
export async function bundled(file) {
  const out = path.join(WORK, `${path.basename(file, '.ts')}.mjs`)
  await esbuild.build({ entryPoints: [path.join(BENCH, '..', file)], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'silent' })
  return import(out)
}

/** The loopback Segmind server of the tests. */
export async function segmindServer(options) {
  const { startSegmindServer } = await bundled('test/servers/segmind.ts')
  return startSegmindServer({ keys: [KEY], ...options })
}

/** Photo-like JPEG sources, made once and kept in .work: `count` of `size`² pixels. */
export async function sources(count, size) {
  const dir = path.join(WORK, 'sources')
  await mkdir(dir, { recursive: true })
  const files = []
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `${size}-${i}.jpg`)
    if (!await exists(file)) {
      // 4K sources: four drawn ones, turned and tinted into distinct pictures.
      const data = size <= 2048 || i < 4
        ? await photoLike(i + 1, size)
        : await sharp(path.join(dir, `${size}-${i % 4}.jpg`)).rotate(90 * (i % 3)).flop(i % 2 === 1).modulate({ hue: i * 7 }).jpeg({ quality: 92 }).toBuffer()
      await writeFile(file, data)
    }
    files.push(file)
  }
  return files
}

/**
 * Runs a bench script in a child process; it prints one JSON line (its own `ms`, timed inside,
 * after its imports, and its peak RSS). `wallMs` is the whole process, spawn to exit, timed here.
 */
export function child(script, args, env = {}, cwd = undefined) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const p = spawn(process.execPath, [path.join(BENCH, script), ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { err += d })
    p.on('close', code => code === 0 ? resolve({ ...JSON.parse(out), wallMs: performance.now() - started }) : reject(new Error(`${script} exited ${code}: ${err.slice(-2000)}`)))
  })
}
