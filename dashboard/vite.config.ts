import { defineConfig } from "vite";

// Relative asset paths: the static build can be served from any directory.
export default defineConfig({
  base: "./",
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
});
