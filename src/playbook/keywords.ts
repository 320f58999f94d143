// The keyword tables live in src/shared/keywords.ts (the module registry and the schema read them too).
export * from '../shared/keywords.js';
