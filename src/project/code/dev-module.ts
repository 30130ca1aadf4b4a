import type { ResolvedSpec } from '../../model/spec'
import { withMarkup } from './module'

/**
 * Dev module code: importers keep one object, which a hot update fills in place; `<img>` and
 * `<source>` elements still showing the old URLs are switched, so the page needs no reload
 * (`keepUpdated` in runtime.ts).
 */
export function devModuleCode(spec: ResolvedSpec, pictures: object[]): string {
  // `import.meta.hot.accept()` is written out here, not in the runtime: Vite's HMR analysis looks
  // for it in the module's own code. It runs before `keepUpdated` dispatches `seedream:update`,
  // the order the module had when the runtime was inline.
  return `${withMarkup(spec, JSON.stringify(pictures), ['keepUpdated'])}
if (import.meta.hot) import.meta.hot.accept();
export default keepUpdated(import.meta.hot, { ...images[0], alt, prompt, images });
`
}
