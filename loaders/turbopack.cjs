// Turbopack loads webpack loaders with require(); the loader itself is ESM, like the rest of the package.
module.exports = function seedreamTurbopackLoader(source) {
  const done = this.async()
  import('../dist/turbopack-loader.js')
    .then(loader => loader.default.call(this, source))
    .then(code => done(null, code), done)
}
