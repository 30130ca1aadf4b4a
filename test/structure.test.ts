import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * The layout's rules, checked on the sources: dependencies point one way (model ← project ←
 * bundler/cli/api), there is no import cycle (type-only imports included), and files and
 * functions stay small enough to read.
 */
const SRC = path.resolve(__dirname, '../src')
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
  .flatMap(d => d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [])
const sources = files(SRC).map(file => ({ file, rel: path.relative(SRC, file), ast: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true) }))

/** Every relative import and re-export of a file, type-only ones included, as source paths. */
function importsOf(s: typeof sources[number]): string[] {
  const found: string[] = []
  s.ast.forEachChild((node) => {
    const spec = (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) {
      const base = path.resolve(path.dirname(s.file), spec.text)
      const target = [`${base}.ts`, path.join(base, 'index.ts'), base].find(f => sources.some(o => o.file === f))
      if (target)
        found.push(path.relative(SRC, target))
    }
  })
  return found
}
const graph = new Map(sources.map(s => [s.rel, importsOf(s)]))

/** Strongly connected components of more than one file (or a file importing itself): the cycles. */
function cycles(): string[][] {
  let index = 0
  const stack: string[] = []
  const meta = new Map<string, { index: number, low: number, on: boolean }>()
  const found: string[][] = []
  const visit = (v: string): void => {
    meta.set(v, { index, low: index++, on: true })
    stack.push(v)
    for (const w of graph.get(v) ?? []) {
      if (!meta.has(w))
        visit(w)
      if (meta.get(w)!.on)
        meta.get(v)!.low = Math.min(meta.get(v)!.low, meta.get(w)!.low)
    }
    if (meta.get(v)!.low === meta.get(v)!.index) {
      const part: string[] = []
      let w: string
      do {
        w = stack.pop()!
        meta.get(w)!.on = false
        part.push(w)
      } while (w !== v)
      if (part.length > 1 || graph.get(v)!.includes(v))
        found.push(part)
    }
  }
  for (const v of graph.keys()) {
    if (!meta.has(v))
      visit(v)
  }
  return found
}

const layer = (rel: string) => rel.split(path.sep)[0]!.replace(/\.ts$/, '')
/** What each layer may import; the entries at the top of src/ may import anything. */
const ALLOWED: Record<string, string[]> = {
  model: ['model'],
  project: ['model', 'project'],
  bundler: ['model', 'project', 'bundler'],
  cli: ['model', 'project', 'cli'],
  api: ['model', 'project', 'api'],
}

/** Lines of a node, first to last. */
const linesOf = (ast: ts.SourceFile, node: ts.Node) =>
  ast.getLineAndCharacterOfPosition(node.getEnd()).line - ast.getLineAndCharacterOfPosition(node.getStart()).line + 1

/**
 * Functions whose own code is longer than `max` lines. A factory's inner functions are counted as
 * functions of their own, not as its lines: `createGuard` is judged like a class, method by method.
 */
function longFunctions(max: number): string[] {
  const long: string[] = []
  const isFunction = (n: ts.Node) => ts.isFunctionLike(n) && 'body' in n && Boolean(n.body)
  for (const s of sources) {
    const nestedLines = (node: ts.Node): number => {
      let n = 0
      node.forEachChild((child) => { n += isFunction(child) ? linesOf(s.ast, child) : nestedLines(child) })
      return n
    }
    const walk = (node: ts.Node): void => {
      if (isFunction(node)) {
        const own = linesOf(s.ast, node) - nestedLines((node as ts.FunctionLikeDeclaration).body!)
        if (own > max)
          long.push(`${s.rel}:${s.ast.getLineAndCharacterOfPosition(node.getStart()).line + 1} (${own} lines)`)
      }
      node.forEachChild(walk)
    }
    walk(s.ast)
  }
  return long
}

describe('source layout', () => {
  it('has no import cycle, type-only imports included', () => {
    expect(sources.length).toBeGreaterThan(40)
    expect(cycles()).toEqual([])
  })

  it('points dependencies one way: model ← project ← bundler, cli, api', () => {
    const wrong = [...graph].flatMap(([from, targets]) => targets
      .filter(to => ALLOWED[layer(from)] && !ALLOWED[layer(from)]!.includes(layer(to)))
      .map(to => `${from} imports ${to}`))
    expect(wrong).toEqual([])
  })

  it('lets the drivers use the project through project/index.ts only', () => {
    const wrong = [...graph].filter(([from]) => layer(from) !== 'project' && layer(from) !== 'model')
      .flatMap(([from, targets]) => targets.filter(to => layer(to) === 'project' && to !== path.join('project', 'index.ts')).map(to => `${from} imports ${to}`))
    expect(wrong).toEqual([])
  })

  it('keeps the model free of I/O and of bundlers', () => {
    const io = /^(?:node:)?(?:fs|fs\/promises|http|https|net|child_process)$|^(?:vite|webpack|rollup|esbuild|@rspack\/core|unplugin|sharp)$/
    const wrong = sources.filter(s => layer(s.rel) === 'model').flatMap(s => s.ast.statements
      .filter(ts.isImportDeclaration).map(i => (i.moduleSpecifier as ts.StringLiteral).text)
      .filter(m => io.test(m)).map(m => `${s.rel} imports ${m}`))
    expect(wrong).toEqual([])
  })

  it('keeps files under 150 lines and functions under 40', () => {
    const longFiles = sources.filter(s => s.ast.text.split('\n').length - 1 > 150).map(s => s.rel)
    expect({ longFiles, longFunctions: longFunctions(40) }).toEqual({ longFiles: [], longFunctions: [] })
  })
})
