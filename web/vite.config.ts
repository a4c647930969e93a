import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

// The console is served by the Charter server from dist/web; asset names carry a content hash so
// the server can let browsers cache them for a year.
export default defineConfig({
  root,
  base: "/",
  plugins: [react()],
  publicDir: "public",
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // The Content-Security-Policy forbids inline code; keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
