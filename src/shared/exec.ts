// What one command on a host returns: read by modules (probes), the connections that run it and facts.

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}
