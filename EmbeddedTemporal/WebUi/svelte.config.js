import adapter from '@sveltejs/adapter-static';

// A single-page app: every route renders in the browser (the embedded server answers unknown
// paths with index.html), so nothing is prerendered.
export default {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
  },
};
