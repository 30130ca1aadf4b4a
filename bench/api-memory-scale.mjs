// P3 (the API fan-out), P4 (peak memory of a cold build of large originals) and P5 (the warm
// build's cost per image at 1,000 specs).
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { filledApp, makeApp, makeImagetoolsApp, makePlainApp } from './apps.mjs'
import { child, KEY, segmindServer, sources, WORK } from './lib.mjs'
import { alternate, median, repeat, RUNS } from './measure.mjs'
import { packageSettings } from './warm-cold.mjs'

const FROZEN = { SEEDREAM_FROZEN: '1', SEGMIND_API_KEY: '' }

export async function p3({ record }) {
  const names = Array.from({ length: 18 }, (_, i) => `fan${i}`)
  const dir = path.join(WORK, 'fanout')
  const runs = await repeat(async () => {
    const server = await segmindServer({ latencyMs: 500 })
    // seedream-4: one synchronous call per spec, so the ideal is plain arithmetic (4.5's jobs add polls).
    await makeApp(dir, Object.fromEntries(names.map((n, i) => [n, { prompt: `fan-out ${i}`, size: '1K', model: 'seedream-4' }])), names.slice(0, 6))
    await child('child-build.mjs', [dir, JSON.stringify({ concurrency: 4, widths: [32], formats: ['jpeg'], budget: { maxImages: 100 } })], { SEGMIND_API_KEY: KEY, SEGMIND_API_URL: server.url })
    const calls = server.generations()
    await server.close()
    return { calls: calls.length, wallMs: Math.max(...calls.map(c => c.done)) - Math.min(...calls.map(c => c.at)) }
  })
  const ideal = Math.ceil(18 / 4) * 500
  const wall = median(runs.map(r => r.wallMs))
  const calls = Math.max(...runs.map(r => r.calls))
  record('P3', 'API fan-out: 24 imports of 18 seedream-4 specs, 500 ms latency, concurrency 4: wall vs ideal', wall / ideal, '×', '≤ 1.10 and 18 calls', wall / ideal <= 1.1 && calls === 18,
    { wallMs: runs.map(r => r.wallMs), idealMs: ideal, calls: runs.map(r => r.calls) }, `${(wall / 1000).toFixed(2)} s vs ideal ${ideal / 1000} s, ${calls} calls`)
}

// P4 and its peers: the same 50 sources, the same 600 outputs and settings, each cold in its own
// process, alternated so that each tool meets the same machine.
export async function p4({ record }) {
  const files = await sources(50, 4096)
  const dir = await filledApp('app50x4k', files, { widths: [64], formats: ['jpeg'] })
  const settings = await packageSettings()
  const imagetoolsApp = path.join(WORK, 'peer-imagetools-50x4k')
  const eleventyOut = path.join(WORK, 'peer-eleventy-50x4k')
  await makeImagetoolsApp(imagetoolsApp, files, settings)
  const cold = folder => rm(folder, { recursive: true, force: true })
  const [runs, imagetools, eleventy] = await alternate([
    async () => (await cold(path.join(dir, 'node_modules/.cache')), child('child-build.mjs', [dir, '{}'], FROZEN)),
    async () => (await cold(path.join(imagetoolsApp, 'node_modules')), child('child-build.mjs', [imagetoolsApp, 'imagetools'], {}, imagetoolsApp)),
    async () => (await cold(eleventyOut), child('peer-eleventy.mjs', [eleventyOut, JSON.stringify(settings), ...files])),
  ], RUNS, false)
  const peak = median(runs.map(r => r.maxRssMB))
  record('P4', 'peak RSS, 50 cached 4096² originals, cold variants (600 files)', peak, 'MB', '≤ 1536 MB', peak <= 1536, { maxRssMB: runs.map(r => r.maxRssMB), ms: runs.map(r => r.ms) }, `the default 4 widths × 3 formats, ${(median(runs.map(r => r.ms)) / 1000).toFixed(1)} s`)
  const peers = { 'vite-imagetools': median(imagetools.map(r => r.maxRssMB)), '@11ty/eleventy-img': median(eleventy.map(r => r.maxRssMB)) }
  const lowest = Math.min(...Object.values(peers))
  record('P4p', 'peak RSS of P4\'s work (50 × 4096², 600 files): the plugin vs the leanest peer at the same settings', peak / lowest, '×', '< 1.00', peak < lowest,
    { pluginMB: runs.map(r => Math.round(r.maxRssMB)), imagetoolsMB: imagetools.map(r => Math.round(r.maxRssMB)), eleventyMB: eleventy.map(r => Math.round(r.maxRssMB)), imagetoolsMs: imagetools.map(r => Math.round(r.ms)), eleventyMs: eleventy.map(r => Math.round(r.ms)) },
    `plugin ${peak.toFixed(0)} MB, ${Object.entries(peers).map(([k, v]) => `${k} ${v.toFixed(0)} MB`).join(', ')}`)
}

export async function p5({ record }) {
  const tiny = path.join(WORK, 'tiny.jpg')
  // The smallest picture a spec can be answered with (a 1K seedream-4 square): the plugin refuses
  // an answer whose size its request cannot explain.
  await writeFile(tiny, await sharp({ create: { width: 1024, height: 1024, channels: 3, background: '#4a7' } }).jpeg().toBuffer())
  for (const [id, count] of [['P5', 1000], ['P5x', 10000]])
    await scale(record, id, count, tiny)
}

/** A warm build of `count` cached specs against the same files as static assets: the cost per image. */
async function scale(record, id, count, tiny) {
  const options = { widths: [32], formats: ['jpeg'] }
  const dir = await filledApp(`app${count}`, Array.from({ length: count }, () => tiny), options, { model: 'seedream-4', size: '1K' })
  await child('child-build.mjs', [dir, JSON.stringify(options)], FROZEN)
  await makePlainApp(path.join(WORK, `plain${count}`), path.join(dir, 'dist/assets'))
  const [plugin, plain] = await alternate([() => child('child-build.mjs', [dir, JSON.stringify(options)], FROZEN), () => child('child-build.mjs', [path.join(WORK, `plain${count}`), 'plain'])], count > 1000 ? 3 : undefined)
  const perImage = (median(plugin.map(r => r.ms)) - median(plain.map(r => r.ms))) / count
  record(id, `scale: ${count.toLocaleString('en')} cached specs, overhead per image over static assets`, perImage, 'ms', '≤ 0.5 ms', perImage <= 0.5,
    { pluginMs: plugin.map(r => r.ms), plainMs: plain.map(r => r.ms) }, `${(median(plugin.map(r => r.ms)) / 1000).toFixed(2)} s vs ${(median(plain.map(r => r.ms)) / 1000).toFixed(2)} s`)
}
