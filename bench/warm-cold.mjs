// P1 and P2, and the peers on the same work: the 12-image app warm (everything cached) and cold
// (originals cached, variants not), against their floors and against vite-imagetools and
// @11ty/eleventy-img making the same 144 files from the same 12 sources, all in one run. The
// package's encoder settings are sharp's defaults, which are also both peers' own: one setting
// compares them at their defaults and at equal settings at once.
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { makeImagetoolsApp, makePlainApp, originalsOf } from './apps.mjs'
import { bundled, child, WORK } from './lib.mjs'
import { alternate, median, RUNS } from './measure.mjs'

const FROZEN = { SEEDREAM_FROZEN: '1', SEGMIND_API_KEY: '' }
const med = (runs, key = 'wallMs') => median(runs.map(r => r[key]))
const ms = x => x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`
const samples = (runs, key = 'wallMs') => runs.map(r => Math.round(r[key]))

/** The package's own output defaults, read from its source: the floor and the peers use exactly these. */
export async function packageSettings() {
  const { DEFAULT_OUTPUT } = await bundled('src/model/defaults.ts')
  const { widths, formats, quality, avifEffort } = DEFAULT_OUTPUT
  return { widths, formats, quality, avifEffort }
}

/** Each tool as a step that can run cold (its cache emptied first) or warm. */
function contenders(app, originals, settings) {
  const json = JSON.stringify(settings)
  const imagetoolsApp = path.join(WORK, 'peer-imagetools')
  const eleventyOut = path.join(WORK, 'peer-eleventy')
  const fresh = async (dir, cold) => cold && rm(dir, { recursive: true, force: true })
  return {
    prepare: () => makeImagetoolsApp(imagetoolsApp, originals, settings),
    plugin: async cold => (await fresh(path.join(app, 'node_modules/.cache'), cold), child('child-build.mjs', [app, '{}'], FROZEN)),
    floor: async () => (await fresh(path.join(WORK, 'floor-out'), true), child('floor-sharp.mjs', [path.join(WORK, 'floor-out'), json, ...originals])),
    imagetools: async cold => (await fresh(path.join(imagetoolsApp, 'node_modules'), cold), child('child-build.mjs', [imagetoolsApp, 'imagetools'], {}, imagetoolsApp)),
    eleventy: async cold => (await fresh(eleventyOut, cold), child('peer-eleventy.mjs', [eleventyOut, json, ...originals])),
  }
}

export async function warmAndCold(app, { record, only }) {
  const settings = await packageSettings()
  const originals = await originalsOf(app)
  const tools = contenders(app, originals, settings)
  await tools.prepare()
  const want = id => !only.length || only.includes(id)
  // Cold first: its runs leave every tool's cache filled for the warm ones.
  if (want('P2'))
    await cold(tools, record, settings)
  if (want('P1'))
    await warm(app, tools, record)
}

async function warm(app, tools, record) {
  const count = await makePlainApp(path.join(WORK, 'plain12'), path.join(app, 'dist/assets'))
  const plain = () => child('child-build.mjs', [path.join(WORK, 'plain12'), 'plain'])
  const [plugin, floor, itOurs, elOurs] = await alternate([() => tools.plugin(false), plain, () => tools.imagetools(false), () => tools.eleventy(false)])
  record('P1', 'warm build, 12 cached images vs the same files as static assets', med(plugin, 'ms') / med(floor, 'ms'), '×', '≤ 1.10', med(plugin, 'ms') / med(floor, 'ms') <= 1.10,
    { pluginMs: samples(plugin, 'ms'), plainMs: samples(floor, 'ms'), files: count }, `${ms(med(plugin, 'ms'))} vs ${ms(med(floor, 'ms'))}`)
  // What each tool adds to the static-asset build of the same files, timed inside its process:
  // eleventy-img runs without a bundler, so all of its time is added.
  const added = { plugin: med(plugin, 'ms') - med(floor, 'ms'), 'vite-imagetools': med(itOurs, 'ms') - med(floor, 'ms'), '@11ty/eleventy-img': med(elOurs, 'ms') }
  const least = Math.min(added['vite-imagetools'], added['@11ty/eleventy-img'])
  record('P1p', 'warm: what the plugin adds to the static-asset build vs what the leanest peer adds, same settings (below every peer)', added.plugin / least, '×', '< 1.00', added.plugin < least,
    { pluginMs: samples(plugin, 'ms'), plainMs: samples(floor, 'ms'), imagetoolsMs: samples(itOurs, 'ms'), eleventyMs: samples(elOurs, 'ms') }, addedNote(added))
}

const addedNote = added => Object.entries(added).map(([k, v]) => `${k} +${v.toFixed(0)} ms`).join(', ')
const peerNote = (plugin, peers) => [`plugin ${ms(med(plugin))}`, ...Object.entries(peers).map(([k, r]) => `${k} ${ms(med(r))} (${(med(plugin) / med(r)).toFixed(2)}×)`)].join(', ')

async function cold(tools, record, settings) {
  const [plugin, floor, itOurs, elOurs] = await alternate([() => tools.plugin(true), tools.floor, () => tools.imagetools(true), () => tools.eleventy(true)], RUNS, false)
  const ratio = med(plugin) / med(floor)
  record('P2', `cold variants, whole process: the plugin's build vs direct sharp decoding once (${settings.widths.length} widths × ${settings.formats.length} formats, pool = cores)`, ratio, '×', '≤ 1.05', ratio <= 1.05,
    { pluginWallMs: samples(plugin), floorWallMs: samples(floor), pluginMs: samples(plugin, 'ms'), floorMs: samples(floor, 'ms') }, `${ms(med(plugin))} vs ${ms(med(floor))}`)
  const peers = { 'vite-imagetools': itOurs, '@11ty/eleventy-img': elOurs }
  const fastest = Math.min(...Object.values(peers).map(r => med(r)))
  record('P2p', 'cold, whole process: the plugin vs the fastest peer at the same settings', med(plugin) / fastest, '×', '≤ 1.00', med(plugin) <= fastest,
    { pluginWallMs: samples(plugin), ...Object.fromEntries(Object.entries(peers).map(([k, r]) => [`${k}WallMs`, samples(r)])) }, peerNote(plugin, peers))
  const rss = runs => median(runs.map(r => r.maxRssMB))
  const lowest = Math.min(rss(itOurs), rss(elOurs))
  record('P2m', 'cold, peak RSS: the plugin vs the leanest peer at the same settings', rss(plugin) / lowest, '×', '< 1.00', rss(plugin) < lowest,
    { pluginMB: plugin.map(r => Math.round(r.maxRssMB)), imagetoolsMB: itOurs.map(r => Math.round(r.maxRssMB)), eleventyMB: elOurs.map(r => Math.round(r.maxRssMB)) },
    `plugin ${rss(plugin).toFixed(0)} MB, vite-imagetools ${rss(itOurs).toFixed(0)} MB, @11ty/eleventy-img ${rss(elOurs).toFixed(0)} MB`)
}
