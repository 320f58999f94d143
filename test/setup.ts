// Every test starts with an empty run context: no secret, vault password or cached file from a test before it.
import { beforeEach } from 'vitest';
import { resetRunContext } from '../src/vault/context.js';

beforeEach(() => {
  resetRunContext();
});
