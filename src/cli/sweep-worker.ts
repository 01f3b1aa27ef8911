/**
 * A sweep worker thread (started by runCells in sweep-runner.ts): runs each
 * cell it is sent with one CellRunner, so the data is read once, and
 * replies with the cell's result, or with the error that stopped it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CellRunner, type SweepWorkerData, type WorkerReply, type WorkerRequest } from './sweep-runner.js';

const port = parentPort;
if (port === null) throw new Error('sweep-worker.js runs in a worker thread that runCells (sweep-runner.ts) starts');
const { options, log } = workerData as SweepWorkerData;
const reply = (message: WorkerReply): void => port.postMessage(message);
const runner = new CellRunner(options, { log: log ? (line) => reply({ type: 'log', line }) : () => {} });

port.on('message', ({ cell }: WorkerRequest) => {
  runner.run(cell).then(
    (result) => reply({ type: 'result', result }),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      reply({ type: 'error', name: e.name, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) });
    },
  );
});
