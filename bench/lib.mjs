// Helpers shared by the benchmarks: sources, apps, child processes, the loopback Segmind server.
import { spawn } from 'node:child_process'
import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import sharp from 'sharp'
import { photoLike } from './sources.mjs'

export const BENCH = path.dirname(fileURLToPath(import.meta.url))
export const WORK = path.join(BENCH, '.work')
export const KEY = 'bench-key-0123456789abcdef'

export const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const exists = f => stat(f).then(() => true, () => false)

/** The loopback Segmind server of the tests, bundled once from TypeScript. */
export async function segmindServer(options) {
  const out = path.join(WORK, 'segmind-server.mjs')
  await esbuild.build({ entryPoints: [path.join(BENCH, '../test/servers/segmind.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'silent' })
  const { startSegmindServer } = await import(out)
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

/** A Vite app whose main module imports every name, plus a second module importing `again`. */
export async function makeApp(dir, images, again = []) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(path.join(dir, 'src'), { recursive: true })
  const names = Object.keys(images)
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>\n')
  await writeFile(path.join(dir, 'seedream.config.json'), JSON.stringify({ images }))
  await writeFile(path.join(dir, 'src/again.js'), `${again.map((n, i) => `import a${i} from '${n}?seedream'`).join('\n')}\nexport default [${again.map((_, i) => `a${i}`).join(', ')}]\n`)
  await writeFile(path.join(dir, 'src/main.js'), `${names.map((n, i) => `import i${i} from '${n}?seedream'`).join('\n')}\nimport again from './again.js'\nglobalThis.images = [${names.map((_, i) => `i${i}`).join(', ')}, ...again]\n`)
}

/** The floor app: the same variant files, imported as plain static assets. */
export async function makePlainApp(dir, builtAssets) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(path.join(dir, 'src/img'), { recursive: true })
  const files = (await readdir(builtAssets)).filter(f => /\.(?:avif|webp|jpg|png)$/.test(f))
  await Promise.all(files.map(f => cp(path.join(builtAssets, f), path.join(dir, 'src/img', f))))
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>\n')
  await writeFile(path.join(dir, 'src/main.js'), `${files.map((f, i) => `import u${i} from './img/${f}'`).join('\n')}\nglobalThis.urls = [${files.map((_, i) => `u${i}`).join(', ')}]\n`)
  return files.length
}

/** Runs a bench script in a child process; it prints one JSON line. */
export function child(script, args, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(BENCH, script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { err += d })
    p.on('close', code => code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${script} exited ${code}: ${err.slice(-2000)}`)))
  })
}
