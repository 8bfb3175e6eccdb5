import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from './api-error';
import type { JsonValue } from './sandbox.types';

/** The real server's default limit on request bodies (3 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;
const MAX_DEPTH = 200;

export function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `the server has received a request that is too large: limit is ${limit}`);
}

/** Reads the whole body, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

const JSON_TYPES = new Set(['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json']);
const YAML_TYPES = new Set(['application/yaml', 'application/apply-patch+yaml']);

function depth(value: JsonValue, level: number): void {
  if (level > MAX_DEPTH) throw badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) for (const v of value) depth(v, level + 1);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) depth(v, level + 1);
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw badRequest(`couldn't get version/kind; json parse error: ${msg}`);
  }
}

function parseYamlDoc(text: string): JsonValue {
  let value: unknown;
  try {
    value = parseYaml(text, { schema: 'core', maxAliasCount: 100, uniqueKeys: true, prettyErrors: false });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw badRequest(`error converting YAML to JSON: ${msg}`);
  }
  const json = JSON.stringify(value ?? null, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw badRequest('error converting YAML to JSON: non-finite number');
    if (typeof v === 'bigint') throw badRequest('error converting YAML to JSON: integer out of range');
    return v;
  });
  return JSON.parse(json) as JsonValue;
}

/** Parses a body by its media type: JSON (and the JSON patch types) or YAML (and apply). */
export function parseBody(raw: Buffer, contentType: string): JsonValue {
  const text = raw.toString('utf8');
  let value: JsonValue;
  if (JSON_TYPES.has(contentType)) value = parseJson(text);
  else if (YAML_TYPES.has(contentType)) value = parseYamlDoc(text);
  else {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  }
  depth(value, 0);
  return value;
}
