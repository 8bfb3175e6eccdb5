import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../fixtures/run-process';

/**
 * A real Git smart-HTTP server over TLS: node's https server in front of git's own CGI program,
 * `git http-backend`, with HTTP Basic authentication, as a Git host serves repositories. It records
 * every request line and Authorization header it receives, so tests can prove what a client sent.
 */
export const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

export interface GitHttpServer {
  /** https://127.0.0.1:<port>/<name> */
  url(name: string): string;
  /** The PEM certificate clients must trust (GIT_SSL_CAINFO). */
  caFile: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface GitHttpServerOptions {
  projectRoot: string;
  username: string;
  password: string;
  /** Paths answered with a redirect to this other path (e.g. a moved repository). */
  redirects?: Record<string, string>;
  /** Requests under this path are never answered (a stalled server). */
  hang?: string;
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const tls = await selfSignedCertificate();
  const requests: RecordedRequest[] = [];
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (options.hang && url.pathname.startsWith(options.hang)) return;
    const target = Object.entries(options.redirects ?? {}).find(([from]) => url.pathname.startsWith(from));
    if (target) {
      res.writeHead(301, { Location: `${url.pathname.replace(target[0], target[1])}${url.search}` }).end();
      return;
    }
    if (req.headers.authorization !== expected) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('authentication required\n');
      return;
    }
    runBackend(req, res, url, options);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (name) => `https://127.0.0.1:${port}/${name}`,
    caFile: tls.certFile,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(tls.dir, { recursive: true, force: true });
    },
  };
}

function runBackend(req: IncomingMessage, res: ServerResponse, url: URL, options: GitHttpServerOptions): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: options.projectRoot,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: options.username,
    REMOTE_ADDR: '127.0.0.1',
    GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
    HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  const child = spawn(HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stdin.on('error', () => undefined);
  req.pipe(child.stdin);
  child.on('close', () => writeCgiResponse(res, Buffer.concat(out)));
}

/** A CGI response: header lines (`Status: 404 Not Found` among them), a blank line, the body. */
function writeCgiResponse(res: ServerResponse, output: Buffer): void {
  let split = output.indexOf('\r\n\r\n');
  let gap = 4;
  if (split < 0) {
    split = output.indexOf('\n\n');
    gap = 2;
  }
  if (split < 0) {
    res.writeHead(502).end('bad CGI response\n');
    return;
  }
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of output.subarray(0, split).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else if (name) headers[name] = value;
  }
  res.writeHead(status, headers).end(output.subarray(split + gap));
}

async function selfSignedCertificate(): Promise<{ dir: string; key: Buffer; cert: Buffer; certFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gitseal-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  await runProcess('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { dir, key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
}
