// The built UI is mostly @temporalio/ui (MIT): its licence travels with the output, and so does its icon.
import { copyFileSync } from 'node:fs';

copyFileSync('node_modules/@temporalio/ui/LICENSE', 'build/LICENSE-temporalio-ui.txt');
copyFileSync('node_modules/@temporalio/ui/dist/vendor/favicon.ico', 'build/favicon.ico');
copyFileSync('scripts/NOTICE.txt', 'build/NOTICE.txt');
