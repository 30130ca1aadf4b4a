// The apps the benchmarks build: the plugin's (specs whose originals are generated once through the
// loopback server), the same files as plain static assets, and vite-imagetools' on the same sources.
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { child, KEY, segmindServer, WORK } from './lib.mjs'
import { log } from './measure.mjs'

const INDEX = '<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>\n'

/** A Vite app whose main module imports every name, plus a second module importing `again`. */
export async function makeApp(dir, images, again = []) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(path.join(dir, 'src'), { recursive: true })
  const names = Object.keys(images)
  await writeFile(path.join(dir, 'index.html'), INDEX)
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
  await writeFile(path.join(dir, 'index.html'), INDEX)
  await writeFile(path.join(dir, 'src/main.js'), `${files.map((f, i) => `import u${i} from './img/${f}'`).join('\n')}\nglobalThis.urls = [${files.map((_, i) => `u${i}`).join(', ')}]\n`)
  return files.length
}

/** An app of `count` specs whose originals are the given files, generated once through the loopback server. */
export async function filledApp(name, files, fillOptions, spec = { size: '2K' }) {
  const server = await segmindServer({ credits: 1e6, picture: async body => readFile(files[Number(body.prompt.split(' ').pop())]) })
  const dir = path.join(WORK, name)
  await makeApp(dir, Object.fromEntries(files.map((_, i) => [`img${i}`, { prompt: `bench source ${i}`, ...spec }])))
  await child('child-build.mjs', [dir, JSON.stringify({ budget: { maxImages: files.length }, ...fillOptions })], { SEGMIND_API_KEY: KEY, SEGMIND_API_URL: server.url })
  log(`${name}: ${server.generations().length} originals generated`)
  await server.close()
  return dir
}

/** The originals an app's store holds, as files. */
export const originalsOf = async dir => (await readdir(path.join(dir, '.seedream'), { recursive: true })).filter(f => /\d\.jpeg$/.test(f)).map(f => path.join(dir, '.seedream', f)).sort()

/**
 * vite-imagetools' app: each source imported as a srcset of the same widths, once per format, each
 * with this package's encoder settings (sharp's defaults, imagetools' own too). `render` writes
 * the rest of the module from the imported names (`names[file][format]`).
 */
export async function makeImagetoolsApp(dir, files, settings, render = names => `globalThis.srcsets = [${names.flat().join(', ')}]`) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(path.join(dir, 'src/img'), { recursive: true })
  await Promise.all(files.map((f, i) => cp(f, path.join(dir, 'src/img', `${i}.jpg`))))
  const directive = f => [`w=${settings.widths.join(';')}`, `format=${f}`, settings.quality[f] && `quality=${settings.quality[f]}`, f === 'avif' && `effort=${settings.avifEffort}`].filter(Boolean).join('&')
  const queries = settings.formats.map(directive)
  const names = files.map((_, i) => queries.map((_, k) => `s${i}_${k}`))
  const imports = files.flatMap((_, i) => queries.map((q, k) => `import ${names[i][k]} from './img/${i}.jpg?${q}&as=srcset'`))
  await writeFile(path.join(dir, 'index.html'), INDEX)
  await writeFile(path.join(dir, 'src/main.js'), `${imports.join('\n')}\n${render(names)}\n`)
}

// The dev-server page (P7): 12 pictures on one screen, each a <picture> with AVIF, WebP and JPEG
// sources at the same widths, so every tool's page asks for the same variants.
const PAGE = 'document.body.innerHTML = \'<style>body{display:grid;grid-template-columns:repeat(4,1fr);margin:0}img{width:100%;height:auto}</style>\' + '
const picture = 'p => `<picture>${Object.entries(p.sources).map(([t, s]) => `<source type="image/${t}" srcset="${s}" sizes="25vw">`).join(\'\')}<img src="${p.img.src}" width="${p.img.w}" height="${p.img.h}" sizes="25vw" alt=""></picture>`'

/** The plugin's app, its originals cached: the page shows each module's own markup (sizes 25vw, eager, set by the child). */
export async function makeDevApp(dir, app) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(path.join(dir, 'src'), { recursive: true })
  await Promise.all(['index.html', 'seedream.config.json', '.seedream'].map(f => cp(path.join(app, f), path.join(dir, f), { recursive: true })))
  const names = Object.keys(JSON.parse(await readFile(path.join(app, 'seedream.config.json'), 'utf8')).images)
  await writeFile(path.join(dir, 'src/main.js'), `${names.map((n, i) => `import i${i} from '${n}?seedream'`).join('\n')}\n${PAGE}[${names.map((_, i) => `i${i}`).join(', ')}].map(i => i.html).join('')\n`)
}

/** vite-imagetools' app for the dev server: each format's srcset at this package's settings, as a <picture>. */
export async function makeImagetoolsDevApp(dir, files, settings) {
  const at = f => settings.formats.indexOf(f)
  const modern = settings.formats.filter(f => f !== 'jpeg')
  await makeImagetoolsApp(dir, files, settings, names => `${PAGE}[${names.map(n => `{ sources: { ${modern.map(f => `${f}: ${n[at(f)]}`).join(', ')} }, img: { src: ${n[at('jpeg')]}.split(' ')[0], w: 2048, h: 2048 } }`).join(',\n')}].map(${picture}).join('')`)
}

/** The same page from plain static files: the variants the plugin made, grouped by picture. */
export async function makePlainDevApp(dir, builtAssets) {
  await makePlainApp(dir, builtAssets)
  const files = (await readdir(path.join(dir, 'src/img'))).sort()
  const pictures = [...new Set(files.map(f => f.split('-')[0]))]
  const srcset = (name, ext) => files.filter(f => f.startsWith(`${name}-`) && f.endsWith(ext)).map(f => `new URL('./img/${f}', import.meta.url).href + ' ${f.split('-')[1].split('.')[0]}w'`).join(` + ', ' + `)
  const objects = pictures.map(n => `{ sources: { avif: ${srcset(n, '.avif')}, webp: ${srcset(n, '.webp')} }, img: { src: new URL('./img/${files.find(f => f.startsWith(`${n}-`) && f.endsWith('.jpg'))}', import.meta.url).href, w: 2048, h: 2048 } }`)
  await writeFile(path.join(dir, 'src/main.js'), `${PAGE}[${objects.join(',\n')}].map(${picture}).join('')\n`)
}
