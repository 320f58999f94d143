// The event types live in src/shared/events.ts (output, report and graph read them without the executor).
export type * from '../shared/events.js';
