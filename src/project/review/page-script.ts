/**
 * The review page's script, run in the browser: lists the specs from `api/specs`, and posts
 * picks and rerolls (a reroll only after the browser's own confirmation, with the price shown).
 * Every URL is relative to the page, so it works under any base (the CLI's server, Vite's).
 */
export const PAGE_SCRIPT = String.raw`
const money = n => '$' + n.toFixed(2)
const $ = id => document.getElementById(id)
function el(tag, attrs, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v)
    else if (k.startsWith('aria-')) node.setAttribute(k, String(v))
    else if (v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v))
  }
  node.append(...children.filter(c => c !== undefined && c !== null))
  return node
}
async function api(path, body) {
  const res = await fetch(path, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : { cache: 'no-store' })
  const data = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(data.error || res.status + ' ' + res.statusText)
  return data
}
const say = text => { $('status').textContent = text }

function candidate(spec, c) {
  const picked = c.number === spec.pick
  const ratio = c.width && c.height ? c.width + ' / ' + c.height : '1'
  return el('figure', { class: picked ? 'picked' : undefined },
    el('img', { src: 'preview/' + spec.id + '/' + c.number + '/0?w=640', alt: 'Candidate ' + c.number + ' of ' + spec.name, loading: 'lazy', decoding: 'async', style: 'aspect-ratio: ' + ratio, width: c.width || undefined, height: c.height || undefined }),
    el('figcaption', {},
      el('span', {}, 'Candidate ' + c.number + (picked ? ' · picked' : '') + (c.pictures > 1 ? ' · ' + c.pictures + ' pictures' : '')),
      el('button', { 'type': 'button', 'aria-pressed': picked, 'data-focus': spec.id + '-pick-' + c.number, 'aria-label': (picked ? 'Picked: candidate ' : 'Pick candidate ') + c.number + ' of ' + spec.name, 'onclick': () => pick(spec, c.number) }, picked ? 'Picked' : 'Pick')))
}

function section(spec) {
  const heading = 'spec-' + spec.id
  return el('section', { 'aria-labelledby': heading },
    el('h2', { id: heading }, spec.name),
    el('p', { class: 'prompt' }, spec.prompt),
    el('ul', { class: 'facts' },
      el('li', {}, spec.model + ' · ' + spec.provider), el('li', {}, spec.size),
      el('li', { class: 'state-' + spec.state }, spec.state),
      el('li', {}, 'spent ' + money(spec.spent)), el('li', {}, spec.candidates.length + ' candidate(s)'),
      spec.file ? el('li', {}, spec.file) : null),
    spec.candidates.length ? el('div', { class: 'grid' }, ...spec.candidates.map(c => candidate(spec, c))) : el('p', {}, 'No candidate yet: build, or run npx seedream generate.'),
    el('div', { class: 'actions' },
      el('button', { 'type': 'button', 'class': 'primary', 'data-focus': spec.id + '-reroll', 'onclick': e => reroll(spec, e.currentTarget) }, 'Reroll (~' + money(spec.price) + ')'),
      el('button', { 'type': 'button', 'data-focus': spec.id + '-copy', 'onclick': () => copy(spec) }, 'Copy import'),
      el('code', { id: 'import-' + spec.id }, spec.importLine)))
}

async function load(focus) {
  const { specs } = await api('api/specs')
  $('summary').textContent = specs.length + ' spec(s), ' + specs.reduce((n, s) => n + s.candidates.length, 0) + ' candidate(s), ' + money(specs.reduce((n, s) => n + s.spent, 0)) + ' spent'
  $('specs').replaceChildren(...specs.map(section))
  if (focus) document.querySelector('[data-focus="' + focus + '"]')?.focus()
}

async function pick(spec, number) {
  try {
    await api('api/pick', { id: spec.id, candidate: number })
    say('Picked candidate ' + number + ' of ' + spec.name + '.')
    await load(spec.id + '-pick-' + number)
  }
  catch (error) { say(error.message) }
}

async function reroll(spec, button) {
  if (!confirm('Generate one more candidate of "' + spec.name + '" for about ' + money(spec.price) + '?')) return
  button.disabled = true
  say('Generating a candidate of ' + spec.name + '…')
  try {
    const { candidate } = await api('api/reroll', { id: spec.id, price: spec.price })
    say('Candidate ' + candidate + ' of ' + spec.name + ' is ready.')
    await load(spec.id + '-reroll')
  }
  catch (error) { say(error.message); button.disabled = false }
}

async function copy(spec) {
  try { await navigator.clipboard.writeText(spec.importLine); say('Copied: ' + spec.importLine) }
  catch { getSelection().selectAllChildren($('import-' + spec.id)); say('Selected the import line: copy it with Ctrl+C.') }
}

load().catch(error => { $('specs').textContent = error.message })
`
