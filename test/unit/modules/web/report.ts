// Scripted replies of the web modules' host commands: the HTTP report httpScript prints, and get_url's file line.
export const MARK = '@@runbook-http';

export interface Reported {
  client?: string;
  rc?: number;
  status?: number;
  url: string;
  redirects?: number;
  headers?: Record<string, string>;
  ms?: number;
  err?: string;
}

export function report(r: Reported): string {
  const status = r.status ?? 200;
  const head =
    status > 0
      ? `HTTP/1.1 ${status} X\r\n${Object.entries(r.headers ?? {})
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}`
      : '';
  return `${MARK} ${r.client ?? 'curl'} ${r.rc ?? 0} ${r.ms ?? 1500}\n${status > 0 ? status : '000'} ${r.redirects ?? 0} ${r.url}\n${MARK} head\n${head}\n${MARK} err\n${r.err ?? ''}\n${MARK} end\n`;
}
