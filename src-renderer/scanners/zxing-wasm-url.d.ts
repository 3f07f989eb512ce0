// Vite's `?url` import of the .wasm shipped inside the zxing-wasm package: Vite copies the file
// into the build and gives its same-origin URL. Declared for this one module only, so it cannot
// clash with vite/client's wildcard declarations if the UI adds them.
declare module 'zxing-wasm/reader/zxing_reader.wasm?url' {
  const url: string;
  export default url;
}
