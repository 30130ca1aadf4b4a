// Types of `?seedream` imports: add `/// <reference types="unplugin-seedream/client" />`
// or list "unplugin-seedream/client" in tsconfig's compilerOptions.types.
declare module '*?seedream' {
  const image: import('./dist/types').SeedreamImage
  export default image
}
