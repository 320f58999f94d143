// The request arguments get_url and uri share (Ansible's url_argument_spec), and the host-side temp handling.
import { addSecret } from '../../vault/secrets.js';
import type { Args } from '../args.js';
import { fail, isTemplated } from '../args.js';
import type { ArgSpecs } from '../spec.js';
import type { HttpRequest } from './http.js';

export const URL_ARGS = {
  headers: { type: 'dict', description: 'request headers, a mapping of name to value' },
  timeout: { type: 'int', default: 30, description: 'seconds the whole request may take' },
  validate_certs: { type: 'bool', default: true, description: 'false: accept any HTTPS certificate (only on hosts you trust)' },
  url_username: { aliases: ['username'], description: 'user for HTTP authentication' },
  url_password: { aliases: ['password'], description: 'password for HTTP authentication (masked in all output)' },
  force_basic_auth: { type: 'bool', default: false, description: 'send Basic credentials with the first request instead of after a 401' },
  client_cert: { type: 'path', description: 'PEM client certificate on the host, for TLS client authentication (may hold the key too)' },
  client_key: { type: 'path', description: 'PEM private key on the host for client_cert' },
  ca_path: { type: 'path', description: 'PEM CA certificate on the host to verify the server with' },
  use_proxy: {
    type: 'bool',
    default: true,
    description: 'the host client follows the usual *_proxy environment variables (set them with environment:)',
  },
} as const satisfies ArgSpecs;

/** A URL the host clients can fetch; anything else is refused at load time. */
export function checkUrl(a: Args, url: string): void {
  if (isTemplated(url)) return;
  if (!/^(https?|ftp|file):\/\//i.test(url))
    fail(a, `url must start with http://, https://, ftp:// or file:// (got ${JSON.stringify(url)})`);
}

/** Header values as strings; credentials become secrets, so the output layer masks them. */
export function requestOf(
  v: {
    url: string;
    headers?: Record<string, unknown>;
    timeout: number;
    validate_certs: boolean;
    url_username?: string;
    url_password?: string;
    force_basic_auth: boolean;
    client_cert?: string;
    client_key?: string;
    ca_path?: string;
  },
  method: string,
  body?: string,
): HttpRequest {
  if (v.url_password !== undefined) addSecret(v.url_password);
  const headers = Object.fromEntries(Object.entries(v.headers ?? {}).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
  for (const [k, x] of Object.entries(headers)) if (/^(authorization|cookie|x-api-key)$/i.test(k)) addSecret(x);
  return {
    url: v.url,
    method,
    headers,
    body,
    timeout: v.timeout,
    validateCerts: v.validate_certs,
    followRedirects: true,
    user: v.url_username,
    password: v.url_password,
    forceBasicAuth: v.force_basic_auth,
    ...(v.client_cert !== undefined ? { clientCert: v.client_cert } : {}),
    ...(v.client_key !== undefined ? { clientKey: v.client_key } : {}),
    ...(v.ca_path !== undefined ? { caPath: v.ca_path } : {}),
  };
}

/** `mktemp -d` for the request's bookkeeping, removed when the command ends (also on exit 127: no client). */
export const TEMP_DIR = `t=$(mktemp -d "\${TMPDIR:-/tmp}/runbook-web.XXXXXX") || exit 96`;
