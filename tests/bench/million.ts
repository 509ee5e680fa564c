/**
 * Index at a million references, in its own process (`npm run bench` starts it with a larger heap
 * and --expose-gc): prints {"lookupMs":…,"bytesPerReference":…} as its last line.
 * Options: --refs N (default 1 000 000).
 */
import { lookupAndBytes } from './node';

const i = process.argv.indexOf('--refs');
const n = i >= 0 ? Number(process.argv[i + 1]) : 1_000_000;
console.log(JSON.stringify(await lookupAndBytes(n)));
