import { DomainException, type ErrorCategory } from '../../common/domain.exception';

/** Why a wasm policy bundle could not be loaded. */
export type WasmBundleErrorCode =
  | 'unreadable' // the file cannot be read (missing, not a regular file, I/O error)
  | 'too-large' // over a size or count limit (file, unpacked archive, entry, entry count)
  | 'unknown-format' // neither a wasm module nor a gzip'd tar archive
  | 'corrupt-gzip' // gzip stream fails to decompress (bad header, CRC, truncated)
  | 'malformed-tar' // bad header checksum, truncated entry, bad pax record, missing end marker
  | 'unsafe-entry' // path escapes the bundle, link or device entry, duplicate path
  | 'missing-policy' // no /policy.wasm in the archive
  | 'bad-manifest' // /.manifest is not the JSON object OPA writes
  | 'bad-data' // a data.json/data.yaml does not parse, conflicts, or lies outside the roots
  | 'invalid-wasm' // the module does not compile or does not implement OPA's wasm ABI
  | 'entrypoint' // the configured entrypoint is not one the module exports
  | 'load'; // instantiating the module or setting its data failed or timed out

const CATEGORY: Record<WasmBundleErrorCode, ErrorCategory> = {
  unreadable: 'unavailable',
  'too-large': 'too-large',
  'unknown-format': 'invalid',
  'corrupt-gzip': 'invalid',
  'malformed-tar': 'invalid',
  'unsafe-entry': 'invalid',
  'missing-policy': 'invalid',
  'bad-manifest': 'invalid',
  'bad-data': 'invalid',
  'invalid-wasm': 'invalid',
  entrypoint: 'invalid',
  load: 'invalid',
};

export class WasmBundleException extends DomainException {
  constructor(
    override readonly code: WasmBundleErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, CATEGORY[code], message, details);
  }
}
