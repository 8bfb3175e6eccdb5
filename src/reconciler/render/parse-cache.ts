import type { ManifestDocument } from './manifest-parser';

/**
 * Parsed manifests by blob: a file unchanged between commits has the same blob id and is not
 * parsed again (YAML parsing is the slowest part of a render). Least recently used first out,
 * bounded by the size of the sources. Documents are never mutated after parsing.
 */
export class ParseCache {
  private readonly entries = new Map<string, { docs: ManifestDocument[]; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  get(blob: string, path: string): ManifestDocument[] | undefined {
    const key = `${blob}\0${path}`;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.docs;
  }

  set(blob: string, path: string, docs: ManifestDocument[], bytes: number): void {
    if (bytes > this.maxBytes) return;
    const key = `${blob}\0${path}`;
    const old = this.entries.get(key);
    if (old) this.bytes -= old.bytes;
    this.entries.delete(key);
    this.entries.set(key, { docs, bytes });
    this.bytes += bytes;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.bytes;
    }
  }
}

export const parseCache = new ParseCache();
