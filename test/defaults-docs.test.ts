import { readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MARKUP, DEFAULT_OUTPUT, DEFAULT_PICTURE, DEFAULT_PRICES, DEFAULTS } from '../src/model/defaults'

/**
 * Defaults live in src/model/defaults.ts; the JSDoc `@default` of each option and spec field must
 * say the same, so what an editor shows is what the code does.
 */
function documentedDefaults(file: string, iface: string): Record<string, string> {
  const source = ts.createSourceFile(file, readFileSync(path.resolve(__dirname, '../src/model', file), 'utf8'), ts.ScriptTarget.Latest, true)
  const found: Record<string, string> = {}
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== iface)
      return
    for (const member of node.members) {
      const tag = ts.getJSDocTags(member).find(t => t.tagName.text === 'default')
      if (tag && member.name && ts.isIdentifier(member.name))
        found[member.name.text] = ts.getTextOfJSDocComment(tag.comment) ?? ''
    }
  })
  return found
}

/** How a value is written in a `@default`: `4`, `'segmind'`, `[640, 1024]`, `{ maxImages: 10, … }`. */
function literal(value: unknown): string {
  if (typeof value === 'string')
    return `'${value}'`
  if (Array.isArray(value))
    return `[${value.map(literal).join(', ')}]`
  if (value && typeof value === 'object')
    return `{ ${Object.entries(value).map(([k, v]) => `${/^\w+$/.test(k) ? k : `'${k}'`}: ${literal(v)}`).join(', ')} }`
  return Number.isFinite(value) || typeof value !== 'number' ? String(value) : 'Infinity'
}

/** Each documented default that has a value in `defaults` must start with that value. */
function mismatches(documented: Record<string, string>, defaults: Record<string, unknown>): string[] {
  return Object.entries(defaults).filter(([name]) => name in documented)
    .filter(([name, value]) => !documented[name]!.startsWith(literal(value)))
    .map(([name, value]) => `${name}: documented ${documented[name]}, code ${literal(value)}`)
}

describe('documented defaults', () => {
  // quality's @default lists sharp's own 80 for WebP and JPEG, which the code leaves to sharp.
  const { quality: _, ...output } = DEFAULT_OUTPUT

  it('options: every @default is the value the resolver uses', () => {
    const documented = documentedDefaults('options.ts', 'Options')
    expect(Object.keys(documented).length).toBeGreaterThan(20)
    const { budget, ...scalars } = DEFAULTS
    expect(mismatches(documented, { ...scalars, prices: DEFAULT_PRICES })).toEqual([])
    expect(documented.budget).toBe(literal(budget))
    expect(mismatches(documentedDefaults('budget.ts', 'Budget'), budget)).toEqual([])
  })

  it('output options and spec fields: every @default is the value a spec resolves to', () => {
    expect(mismatches(documentedDefaults('types.ts', 'OutputOptions'), output)).toEqual([])
    const markup = documentedDefaults('markup-types.ts', 'MarkupOptions')
    expect(Object.keys(markup).sort()).toEqual(Object.keys(DEFAULT_MARKUP).sort())
    expect(mismatches(markup, { ...DEFAULT_MARKUP })).toEqual([])
    const spec = documentedDefaults('types.ts', 'SeedreamSpec')
    expect(mismatches(spec, DEFAULT_PICTURE)).toEqual([])
    expect(Object.keys(spec)).toEqual(expect.arrayContaining(Object.keys(DEFAULT_PICTURE)))
  })
})
