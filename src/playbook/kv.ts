// key=value parsing lives in src/shared/kv.ts (include_vars and loops use it too).
export * from '../shared/kv.js';
