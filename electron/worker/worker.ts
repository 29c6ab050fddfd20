// Entry of the Electron utilityProcess that runs the engine. Plain Node: no `electron` import;
// Electron hands it process.parentPort.
import { join } from 'node:path';
import { createDistillService } from '../service/distill-service';
import { serveOnPort, type ParentPortLike } from './endpoint';

const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!port) throw new Error('worker.ts runs inside an Electron utilityProcess');
const runsDir = process.env.DISTILL_RUNS;
if (!runsDir) throw new Error('DISTILL_RUNS is not set');

const service = createDistillService({
  runsDir,
  workDir: join(runsDir, '.distill'),
  host: 'electron',
  version: process.env.DISTILL_VERSION ?? '0.0.0',
  onEvent: (event) => port.postMessage({ kind: 'event', event }),
});
serveOnPort(port, service);
