// errorText lives in src/shared/error-text.ts (modules and graph use it too).
export { errorText } from '../shared/error-text.js';
