import { DomainException, errorMessage } from '../common/domain.exception';
import { parseManifestFile } from '../reconciler/render/manifest-parser';
import type { ManifestEntry } from './policy-input';

/** One manifest file to parse: where it is and its bytes. */
export interface ParseRequest {
  path: string;
  data: Uint8Array;
}

/** Its objects, or why it has none. */
export interface ParseResult {
  entries: ManifestEntry[];
  problem: string | null;
}

/**
 * Parses one manifest file with the reconciler's own parser (so the policies judge exactly what
 * would be applied). Never throws: a file that does not parse is a problem naming the file, the
 * document and the line.
 */
export function parseManifest(request: ParseRequest): ParseResult {
  try {
    const data = Buffer.from(request.data.buffer, request.data.byteOffset, request.data.byteLength);
    const entries = parseManifestFile(request.path, data).map((d) => ({ path: d.path, index: d.index, object: d.object }));
    return { entries, problem: null };
  } catch (err) {
    const message = errorMessage(err).split('\n')[0];
    return { entries: [], problem: err instanceof DomainException ? message : `${request.path}: cannot be parsed: ${message}` };
  }
}
