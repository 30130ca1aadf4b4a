import type { ResolvedSpec } from '../../model/spec'
import { withMarkup } from './module'

/**
 * Dev module code: importers keep one object, which a hot update fills in place; `<img>` and
 * `<source>` elements still showing the old URLs are switched, so the page needs no reload.
 */
export function devModuleCode(spec: ResolvedSpec, pictures: object[]): string {
  return `${withMarkup(spec, JSON.stringify(pictures))}
const next = { ...images[0], alt, prompt, images };
const hot = import.meta.hot;
const image = hot?.data.image ?? next;
if (import.meta.hot) {
  const previous = hot.data.previous;
  if (previous && typeof document !== 'undefined') {
    const swap = new Map();
    previous.images.forEach((old, i) => {
      const now = next.images[i] ?? next.images[0];
      swap.set(old.src, now.src).set(old.srcset, now.srcset);
      old.sources.forEach((s, j) => swap.set(s.srcset, (now.sources[j] ?? now.sources[0] ?? now).srcset));
    });
    for (const el of document.querySelectorAll('img, source')) {
      for (const attr of ['src', 'srcset']) {
        const value = el.getAttribute(attr);
        if (value && swap.has(value)) el.setAttribute(attr, swap.get(value));
      }
    }
  }
  if (image !== next) { for (const k of Object.keys(image)) delete image[k]; Object.assign(image, next); }
  hot.data.image = image;
  hot.data.previous = next;
  import.meta.hot.accept();
  if (previous && typeof window !== 'undefined') window.dispatchEvent(new CustomEvent('seedream:update', { detail: image }));
}
export default image;
`
}
