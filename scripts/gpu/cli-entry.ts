// Entry of the bundled CLI for the GPU machine (bin/distill.js runs the sources through tsx instead).
import { main } from '../../electron/cli/main';

process.exitCode = await main(process.argv.slice(2));
