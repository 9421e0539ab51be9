// Vite's `?raw` imports: the file's text as a string, parsed by the importer when it needs it.
declare module '*?raw' {
  const text: string;
  export default text;
}
