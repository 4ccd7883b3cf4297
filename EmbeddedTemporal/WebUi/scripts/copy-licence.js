// The built UI is mostly @temporalio/ui (MIT): its licence travels with the output.
import { copyFileSync } from 'node:fs';

copyFileSync('node_modules/@temporalio/ui/LICENSE', 'build/LICENSE-temporalio-ui.txt');
copyFileSync('scripts/NOTICE.txt', 'build/NOTICE.txt');
