// P7: the dev server. The 12-image page served by `vite dev`, from the server's start until
// Chromium has painted every picture: the plugin with its originals cached and its variants cold,
// against vite-imagetools' dev server on the same sources and page; and warm, against the same
// page made of plain static files.
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { makeDevApp, makeImagetoolsDevApp, makePlainDevApp, originalsOf } from './apps.mjs'
import { child, WORK } from './lib.mjs'
import { alternate, median, RUNS } from './measure.mjs'
import { packageSettings } from './warm-cold.mjs'

const med = runs => median(runs.map(r => r.ms))
const note = (a, b) => `${med(a).toFixed(0)} ms vs ${med(b).toFixed(0)} ms`

export async function p7(app, { record }) {
  const dirs = { seedream: path.join(WORK, 'dev-seedream'), imagetools: path.join(WORK, 'dev-imagetools'), plain: path.join(WORK, 'dev-plain') }
  await makeDevApp(dirs.seedream, app)
  await makeImagetoolsDevApp(dirs.imagetools, await originalsOf(app), await packageSettings())
  await makePlainDevApp(dirs.plain, path.join(app, 'dist/assets'))
  const serve = (tool, cold) => async () => {
    if (cold)
      await rm(path.join(dirs[tool], 'node_modules'), { recursive: true, force: true })
    return child('child-dev.mjs', [dirs[tool], tool, '12'])
  }
  const [seedream, imagetools] = await alternate([serve('seedream', true), serve('imagetools', true)], RUNS, false)
  record('P7', 'dev server, variants cold: start to all 12 pictures painted in Chromium, the plugin vs vite-imagetools', med(seedream) / med(imagetools), '×', '≤ 1.00', med(seedream) <= med(imagetools),
    { seedreamMs: seedream.map(r => Math.round(r.ms)), imagetoolsMs: imagetools.map(r => Math.round(r.ms)), loaded: seedream[0].loaded.slice(0, 2) }, note(seedream, imagetools))
  const [warm, plain] = await alternate([serve('seedream', false), serve('plain', false)])
  record('P7w', 'dev server, variants warm: the same page vs plain static files', med(warm) / med(plain), '×', '≤ 1.20', med(warm) / med(plain) <= 1.2,
    { seedreamMs: warm.map(r => Math.round(r.ms)), plainMs: plain.map(r => Math.round(r.ms)) }, note(warm, plain))
}
