/** One free-port helper for the tests and the bench: it lives in bench/redis-process.ts. */
export { freePort } from '../../bench/redis-process.js';
