// One import path for the CLI and the end-to-end tests.
export { type LabCommandOptions, labCommand } from './command.js';
// Public lab API: up/down/status and the CLI glue.
export {
  type HostStatus,
  type LabHost,
  type LabInfo,
  type LabRef,
  type LabStatus,
  type LabUpOptions,
  labDown,
  labStatus,
  labUp,
} from './lab.js';
// Naming, for tests and tools that look for a lab's kernel objects.
export { labNaming } from './names.js';
