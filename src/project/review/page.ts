import { PAGE_SCRIPT } from './page-script'

/**
 * The review page: one self-contained document (no external request, so it works offline), its
 * data fetched from the API beside it. Native buttons and links only, so that every action is
 * reachable with Tab and Enter; the picked candidate says so in text, not only in colour.
 */
export const REVIEW_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Seedream review</title>
<style>
:root { color-scheme: light dark; --accent: #5b4bdb; --line: #8884; font: 15px/1.45 system-ui, sans-serif; }
body { margin: 0; padding: 1rem clamp(1rem, 3vw, 2.5rem) 3rem; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; }
h1 { font-size: 1.4rem; margin: .5rem 0; }
#status { min-height: 1.5em; color: var(--accent); }
section { border-top: 1px solid var(--line); padding: 1.25rem 0; }
h2 { font-size: 1.15rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
.prompt { margin: .25rem 0 .5rem; max-width: 70ch; }
.facts { display: flex; flex-wrap: wrap; gap: .25rem .9rem; margin: 0 0 .75rem; padding: 0; list-style: none; font-size: .9rem; opacity: .85; }
.state-cached { color: #2a8a3e; } .state-missing, .state-corrupt, .state-partial, .state-stale { color: #c0392b; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 1rem; }
figure { margin: 0; border: 2px solid var(--line); border-radius: 10px; padding: .5rem; }
figure.picked { border-color: var(--accent); }
figure img { display: block; width: 100%; height: auto; border-radius: 6px; background: #8882; }
figcaption { display: flex; justify-content: space-between; align-items: center; gap: .5rem; padding-top: .5rem; }
button { font: inherit; padding: .4rem .8rem; border-radius: 6px; border: 1px solid var(--accent); background: transparent; color: inherit; cursor: pointer; }
button.primary, button[aria-pressed="true"] { background: var(--accent); color: #fff; }
button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button:disabled { opacity: .6; cursor: progress; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .75rem; }
code { font-size: .85rem; overflow-wrap: anywhere; }
</style>
</head>
<body>
<header>
<h1>Seedream review</h1>
<p id="summary"></p>
</header>
<p id="status" role="status" aria-live="polite"></p>
<main id="specs"><p>Loading…</p></main>
<script type="module">${PAGE_SCRIPT}</script>
</body>
</html>
`
