import temporal, { textStyles } from './node_modules/@temporalio/ui/dist/theme/plugin.js';

/** @type {import('tailwindcss').Config} */
export default {
  // The UI's components carry their own class names: scan them as well as ours.
  content: ['./src/**/*.{html,js,ts,svelte}', './node_modules/@temporalio/ui/dist/**/*.{js,svelte}'],
  darkMode: ['selector', '[data-theme="dark"]'],
  plugins: [temporal, textStyles],
};
