import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // @temporalio/ui reads VITE_API to find its API. Empty: the API is on the page's own origin
  // (the embedded server serves both under one port).
  define: {
    'import.meta.env.VITE_API': JSON.stringify(''),
  },
  build: {
    chunkSizeWarningLimit: 4096,
  },
});
