/** The tests' Redis process helpers live in bench/redis-process.ts (the bench starts Redis too). */
export * from '../../bench/redis-process.js';
